"use client";

import { Pause, Play, Send } from "lucide-react";
import Link from "next/link";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { SECRET_ROTATION_GRACE_HOURS } from "@/lib/notifications/secret-rotation";
import { SecretDialog, type ShownSecret } from "./secret-dialog";
import { DeleteButton, EditButton, RotateSecretButton, SectionToolbar, useEditDialog } from "./settings-rows";
import {
  deleteStreamAction,
  rotateStreamSecretAction,
  setStreamStateAction,
  testStreamAction,
} from "../lib/stream-actions";
import type { StreamDto } from "../lib/types";
import { RefreshWhileSending } from "./refresh-while-sending";
import { runWithToast, UNEXPECTED } from "./run-action";
import { StreamFormDialog } from "./stream-form-dialog";

function time(iso: string | null): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : "—";
}

function SendTestButton({ orgSlug, stream }: { orgSlug: string; stream: StreamDto }) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={pending}
      aria-label={`Send test: ${stream.name}`}
      onClick={() =>
        startTransition(async () => {
          try {
            const result = await testStreamAction(orgSlug, { id: stream.id });
            if (result.error !== undefined) toast.error(result.error);
            else if (result.data.delivered) toast.success(result.data.message);
            else toast.error(result.data.message);
          } catch {
            toast.error(UNEXPECTED);
          }
        })
      }
    >
      <Send className="size-4" aria-hidden /> {pending ? "Sending…" : "Send test"}
    </Button>
  );
}

function StateButton({ orgSlug, stream }: { orgSlug: string; stream: StreamDto }) {
  const [pending, startTransition] = useTransition();
  const paused = stream.state === "paused";
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={pending}
      aria-label={`${paused ? "Resume" : "Pause"}: ${stream.name}`}
      onClick={() =>
        startTransition(async () => {
          await runWithToast(
            () => setStreamStateAction(orgSlug, { id: stream.id, state: paused ? "active" : "paused" }),
            () => (paused ? `Stream “${stream.name}” resumed` : `Stream “${stream.name}” paused`),
          );
        })
      }
    >
      {paused ? <Play className="size-4" aria-hidden /> : <Pause className="size-4" aria-hidden />}{" "}
      {pending ? (paused ? "Resuming…" : "Pausing…") : paused ? "Resume" : "Pause"}
    </Button>
  );
}

function StateCell({ stream }: { stream: StreamDto }) {
  const retrying = stream.state === "active" && stream.consecutiveFailures > 0;
  return (
    <div className="grid gap-1">
      <span>
        {stream.state === "paused" ? (
          <Badge variant="destructive">Paused</Badge>
        ) : retrying ? (
          <Badge variant="warning">Retrying</Badge>
        ) : (
          <Badge variant="success">Active</Badge>
        )}
      </span>
      {retrying ? (
        <span className="text-xs text-muted-foreground">
          {stream.consecutiveFailures} failed {stream.consecutiveFailures === 1 ? "attempt" : "attempts"} in a row
        </span>
      ) : null}
      {stream.lastError ? (
        <span className="text-xs break-words whitespace-normal">
          <span className="text-muted-foreground">Last error ({time(stream.lastErrorAt)}): </span>
          {stream.lastError}
        </span>
      ) : null}
    </div>
  );
}

function LagCell({ stream }: { stream: StreamDto }) {
  const { count, more } = stream.behind;
  return (
    <div className="grid gap-1 text-sm">
      <span data-testid="stream-lag">
        {count === 0 && !more
          ? "Up to date"
          : `${more ? "More than " : ""}${count.toLocaleString("en-US")} ${count === 1 && !more ? "entry" : "entries"} behind`}
      </span>
      {stream.oldestUnsentAt ? (
        <span className="text-xs text-muted-foreground">Oldest unsent: {time(stream.oldestUnsentAt)}</span>
      ) : null}
      <span className="text-xs text-muted-foreground">
        Sent {stream.sentEntries.toLocaleString("en-US")} {stream.sentEntries === 1 ? "entry" : "entries"}
        {stream.lastDeliveredAt ? `, last at ${time(stream.lastDeliveredAt)}` : ""}
      </span>
    </div>
  );
}

const ROTATE_DESCRIPTION = `A new secret signs every batch from now on, including retries; for ${SECRET_ROTATION_GRACE_HOURS} hours the old one signs each batch too, in X-Audit-Signature-Previous, so update your receiver with the new secret within that time.`;

export function StreamsSection({ orgSlug, streams }: { orgSlug: string; streams: StreamDto[] }) {
  const { editing, open, setOpen, edit } = useEditDialog<StreamDto>();
  const [secret, setSecret] = useState<ShownSecret | null>(null);

  const moving = streams.some((s) => s.state === "active" && (s.behind.count > 0 || s.consecutiveFailures > 0));
  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
      <SectionToolbar
        summary={
          streams.length === 0
            ? "No streams yet. Add one to send every new entry, or those matching a search, to Splunk or any NDJSON receiver."
            : `${streams.length} ${streams.length === 1 ? "stream" : "streams"}.`
        }
        newLabel="New stream"
        onNew={() => edit(null)}
      />
      {streams.length > 0 ? (
        <Table aria-label="Streams">
          <TableHeader>
            <TableRow>
              <TableHead>Stream</TableHead>
              <TableHead>State</TableHead>
              <TableHead>Lag</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {streams.map((stream) => (
              <TableRow key={stream.id} data-stream-id={stream.id}>
                <TableCell className="max-w-80 align-top whitespace-normal">
                  <span className="font-medium">{stream.name}</span>
                  <Badge variant="outline" className="ml-2">
                    {stream.format === "ndjson" ? "NDJSON" : "Splunk HEC"}
                  </Badge>
                  <code className="mt-1 block font-mono text-xs break-all">{stream.url}</code>
                  <span className="mt-1 block text-xs text-muted-foreground">
                    {stream.query ? (
                      <>
                        Search:{" "}
                        <Link
                          prefetch={false}
                          href={stream.searchHref}
                          className="font-mono underline underline-offset-2"
                        >
                          {stream.query}
                        </Link>
                      </>
                    ) : (
                      "Every entry"
                    )}
                    {` · up to ${stream.batchSize} entries or ${stream.maxWaitSeconds} s`}
                  </span>
                </TableCell>
                <TableCell className="max-w-72 align-top">
                  <StateCell stream={stream} />
                </TableCell>
                <TableCell className="align-top">
                  <LagCell stream={stream} />
                </TableCell>
                <TableCell className="align-top">
                  <div className="flex flex-wrap justify-end gap-1">
                    <SendTestButton orgSlug={orgSlug} stream={stream} />
                    <StateButton orgSlug={orgSlug} stream={stream} />
                    {stream.format === "ndjson" ? (
                      <RotateSecretButton
                        name={stream.name}
                        description={ROTATE_DESCRIPTION}
                        action={() => rotateStreamSecretAction(orgSlug, { id: stream.id })}
                        onSecret={(answer) => setSecret({ ...answer, rotated: true })}
                      />
                    ) : null}
                    <EditButton label={`Edit stream ${stream.name}`} onClick={() => edit(stream)} />
                    <DeleteButton
                      label={`Delete stream ${stream.name}`}
                      title={`Delete “${stream.name}”?`}
                      description="Nothing more is sent to it, and where it had got to is forgotten."
                      confirm="Delete stream"
                      action={() => deleteStreamAction(orgSlug, { id: stream.id })}
                      success={`Stream “${stream.name}” deleted`}
                    />
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <StreamFormDialog
        orgSlug={orgSlug}
        stream={editing}
        open={open}
        onOpenChange={setOpen}
        onSecret={(answer) => setSecret({ ...answer, rotated: false })}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
      <RefreshWhileSending inFlight={moving} />
    </div>
  );
}
