"use client";

import { Mail, Pencil, Plus, RotateCw, Send, Trash2, Webhook } from "lucide-react";
import { useState, useTransition } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { deleteChannelAction, rotateWebhookSecretAction, sendTestAction } from "../lib/actions";
import type { ChannelDto, MemberOption, WebhookSecretAnswer } from "../lib/types";
import { ChannelFormDialog, SmtpNotConfigured } from "./channel-form-dialog";
import { ConfirmDialog } from "./confirm-dialog";
import { runWithToast } from "./run-action";
import { SecretDialog } from "./secret-dialog";

function SendTestButton({ orgSlug, channel }: { orgSlug: string; channel: ChannelDto }) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={pending}
      aria-label={`Send test: ${channel.name}`}
      onClick={() =>
        startTransition(async () => {
          await runWithToast(
            () => sendTestAction(orgSlug, { id: channel.id }),
            () => "Test message queued; its delivery shows below.",
          );
        })
      }
    >
      <Send className="size-4" aria-hidden /> {pending ? "Sending…" : "Send test"}
    </Button>
  );
}

export function ChannelsSection({
  orgSlug,
  channels,
  members,
  smtpConfigured,
}: {
  orgSlug: string;
  channels: ChannelDto[];
  members: MemberOption[];
  smtpConfigured: boolean;
}) {
  const [editing, setEditing] = useState<ChannelDto | null>(null);
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<WebhookSecretAnswer | null>(null);

  function edit(channel: ChannelDto | null) {
    setEditing(channel);
    setOpen(true);
  }

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted-foreground">
          {channels.length === 0
            ? "No channels yet. Add a webhook or an e-mail list, then choose it in a rule."
            : `${channels.length} ${channels.length === 1 ? "channel" : "channels"}.`}
        </p>
        <Button onClick={() => edit(null)}>
          <Plus className="size-4" aria-hidden /> New channel
        </Button>
      </div>
      {!smtpConfigured && channels.some((c) => c.kind === "email") ? <SmtpNotConfigured /> : null}
      {channels.length > 0 ? (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Channel</TableHead>
              <TableHead>Sends to</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {channels.map((channel) => (
              <TableRow key={channel.id} data-channel-id={channel.id}>
                <TableCell className="align-top">
                  <span className="flex items-center gap-2 font-medium">
                    {channel.kind === "email" ? (
                      <Mail className="size-4 text-muted-foreground" aria-hidden />
                    ) : (
                      <Webhook className="size-4 text-muted-foreground" aria-hidden />
                    )}
                    {channel.name}
                  </span>
                  <Badge variant="outline" className="mt-1">
                    {channel.kind === "email" ? "E-mail" : "Webhook"}
                  </Badge>
                  {channel.kind === "email" && !smtpConfigured ? (
                    <Badge variant="warning" className="mt-1 ml-1">
                      SMTP not configured
                    </Badge>
                  ) : null}
                </TableCell>
                <TableCell className="max-w-96 align-top text-sm whitespace-normal">
                  {channel.kind === "webhook" ? (
                    <code className="font-mono text-xs break-all">{channel.url}</code>
                  ) : channel.recipients.length === 0 ? (
                    <span className="text-muted-foreground">Nobody (its members left)</span>
                  ) : (
                    channel.recipients.map((r) => r.email).join(", ")
                  )}
                </TableCell>
                <TableCell className="align-top">
                  <div className="flex flex-wrap justify-end gap-1">
                    <SendTestButton orgSlug={orgSlug} channel={channel} />
                    {channel.kind === "webhook" ? (
                      <ConfirmDialog
                        trigger={
                          <Button
                            variant="ghost"
                            size="icon"
                            aria-label={`Rotate secret: ${channel.name}`}
                            title="Rotate secret"
                          >
                            <RotateCw className="size-4" aria-hidden />
                          </Button>
                        }
                        title={`Rotate the secret of “${channel.name}”?`}
                        description="A new secret signs every message from now on, including retries; the old one stops working at once. Update your receiver with the new secret."
                        confirm="Rotate secret"
                        pendingText="Rotating…"
                        onConfirm={async () => {
                          const answer = await runWithToast(
                            () => rotateWebhookSecretAction(orgSlug, { id: channel.id }),
                            null,
                          );
                          if (answer) setSecret(answer);
                          return answer !== null;
                        }}
                      />
                    ) : null}
                    <Button
                      variant="ghost"
                      size="icon"
                      aria-label={`Edit channel ${channel.name}`}
                      title="Edit"
                      onClick={() => edit(channel)}
                    >
                      <Pencil className="size-4" aria-hidden />
                    </Button>
                    <ConfirmDialog
                      trigger={
                        <Button
                          variant="ghost"
                          size="icon"
                          aria-label={`Delete channel ${channel.name}`}
                          title="Delete"
                        >
                          <Trash2 className="size-4" aria-hidden />
                        </Button>
                      }
                      title={`Delete “${channel.name}”?`}
                      description="Rules stop sending to it, and its queued messages are dropped."
                      confirm="Delete channel"
                      pendingText="Deleting…"
                      onConfirm={async () =>
                        (await runWithToast(
                          () => deleteChannelAction(orgSlug, { id: channel.id }),
                          () => `Channel “${channel.name}” deleted`,
                        )) !== null
                      }
                    />
                  </div>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <ChannelFormDialog
        orgSlug={orgSlug}
        channel={editing}
        members={members}
        smtpConfigured={smtpConfigured}
        open={open}
        onOpenChange={setOpen}
        onSecret={setSecret}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}
