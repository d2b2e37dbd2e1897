"use client";

import { Mail, Send, Webhook } from "lucide-react";
import { useState, useTransition } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { SECRET_ROTATION_GRACE_HOURS } from "@/lib/notifications/secret-rotation";
import { SecretDialog, type ShownSecret } from "./secret-dialog";
import { DeleteButton, EditButton, RotateSecretButton, SectionToolbar, useEditDialog } from "./settings-rows";
import { deleteChannelAction, rotateWebhookSecretAction, sendTestAction } from "../lib/actions";
import type { ChannelDto, MemberOption } from "../lib/types";
import { ChannelFormDialog, SmtpNotConfigured } from "./channel-form-dialog";
import { runWithToast } from "./run-action";

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

const ROTATE_DESCRIPTION = `A new secret signs every message from now on, including retries; for ${SECRET_ROTATION_GRACE_HOURS} hours the old one signs each message too, in X-Audit-Signature-Previous, so update your receiver with the new secret within that time.`;

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
  const { editing, open, setOpen, edit } = useEditDialog<ChannelDto>();
  const [secret, setSecret] = useState<ShownSecret | null>(null);

  return (
    <div className="grid grid-cols-[minmax(0,1fr)] gap-4">
      <SectionToolbar
        summary={
          channels.length === 0
            ? "No channels yet. Add a webhook or an e-mail list, then choose it in a rule."
            : `${channels.length} ${channels.length === 1 ? "channel" : "channels"}.`
        }
        newLabel="New channel"
        onNew={() => edit(null)}
      />
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
                      <RotateSecretButton
                        name={channel.name}
                        description={ROTATE_DESCRIPTION}
                        action={() => rotateWebhookSecretAction(orgSlug, { id: channel.id })}
                        onSecret={(answer) => setSecret({ ...answer, rotated: true })}
                      />
                    ) : null}
                    <EditButton label={`Edit channel ${channel.name}`} onClick={() => edit(channel)} />
                    <DeleteButton
                      label={`Delete channel ${channel.name}`}
                      title={`Delete “${channel.name}”?`}
                      description="Rules stop sending to it, and its queued messages are dropped."
                      confirm="Delete channel"
                      action={() => deleteChannelAction(orgSlug, { id: channel.id })}
                      success={`Channel “${channel.name}” deleted`}
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
        onSecret={(answer) => setSecret({ ...answer, rotated: false })}
      />
      <SecretDialog secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}
