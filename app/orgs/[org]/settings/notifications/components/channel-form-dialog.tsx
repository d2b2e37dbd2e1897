"use client";

import { TriangleAlert } from "lucide-react";
import { useId, useState } from "react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { createChannelAction, updateChannelAction } from "../lib/actions";
import { CHANNEL_NAME_MAX, WEBHOOK_URL_MAX } from "../lib/rules";
import type { ChannelDto, MemberOption, WebhookSecretAnswer } from "../lib/types";
import { FormDialog, FormDialogFrame, useActionForm } from "./form-dialog";

export function SmtpNotConfigured() {
  return (
    <Alert>
      <TriangleAlert className="size-4" aria-hidden />
      <AlertTitle>SMTP not configured</AlertTitle>
      <AlertDescription>
        <p>
          E-mail channels can be set up, but no e-mail is sent until the deployment sets <code>SMTP_URL</code>. Their
          messages wait and then show as failed below.
        </p>
      </AlertDescription>
    </Alert>
  );
}

interface ChannelFormProps {
  orgSlug: string;
  /** null: a new channel. */
  channel: ChannelDto | null;
  members: MemberOption[];
  smtpConfigured: boolean;
  onOpenChange: (open: boolean) => void;
  onSecret: (secret: WebhookSecretAnswer) => void;
}

export function ChannelFormDialog({ open, ...props }: ChannelFormProps & { open: boolean }) {
  // The form mounts with the dialog's content, so each opening starts from the channel as it is now.
  return (
    <FormDialog open={open} onOpenChange={props.onOpenChange}>
      <ChannelForm {...props} />
    </FormDialog>
  );
}

function ChannelForm({ orgSlug, channel, members, smtpConfigured, onOpenChange, onSecret }: ChannelFormProps) {
  const id = useId();
  const [kind, setKind] = useState<"email" | "webhook">(channel?.kind ?? "webhook");
  const [name, setName] = useState(channel?.name ?? "");
  const [url, setUrl] = useState(channel?.url ?? "");
  const [recipients, setRecipients] = useState<string[]>(channel?.recipients.map((r) => r.userId) ?? []);
  const form = useActionForm(onOpenChange);
  const { fieldErrors } = form;

  function submit() {
    const input = kind === "webhook" ? { kind, name, url } : { kind, name, recipientUserIds: recipients };
    const success = () => (channel ? `Channel “${name.trim()}” saved` : `Channel “${name.trim()}” created`);
    if (channel) {
      form.run(() => updateChannelAction(orgSlug, { ...input, id: channel.id }), { success });
      return;
    }
    form.run(() => createChannelAction(orgSlug, input), {
      success,
      after: (data) => (data.secret ? onSecret(data.secret) : undefined),
    });
  }

  const withoutView = members.filter((m) => recipients.includes(m.userId) && !m.canView);

  return (
    <FormDialogFrame
      formId={`${id}-form`}
      title={channel ? `Edit channel “${channel.name}”` : "New channel"}
      description="Where the rules' messages go."
      form={form}
      submitLabel={channel ? "Save channel" : "Create channel"}
      onSubmit={submit}
      onCancel={() => onOpenChange(false)}
    >
      {channel ? null : (
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">Kind</legend>
          <RadioGroup
            value={kind}
            onValueChange={(v) => setKind(v === "email" ? "email" : "webhook")}
            className="flex flex-wrap gap-5"
          >
            <label className="flex items-center gap-2 text-sm">
              <RadioGroupItem value="webhook" /> Webhook
            </label>
            <label className="flex items-center gap-2 text-sm">
              <RadioGroupItem value="email" /> E-mail
            </label>
          </RadioGroup>
        </fieldset>
      )}
      <div className="grid gap-2">
        <Label htmlFor={`${id}-name`}>Channel name</Label>
        <Input
          id={`${id}-name`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={CHANNEL_NAME_MAX}
          placeholder={kind === "webhook" ? "e.g. Security chat" : "e.g. Security team"}
          aria-invalid={fieldErrors.name ? true : undefined}
        />
      </div>
      {kind === "webhook" ? (
        <div className="grid gap-2">
          <Label htmlFor={`${id}-url`}>Webhook URL</Label>
          <Input
            id={`${id}-url`}
            type="url"
            inputMode="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            maxLength={WEBHOOK_URL_MAX}
            placeholder="https://hooks.example.com/audit"
            className="font-mono"
            aria-invalid={fieldErrors.url ? true : undefined}
            aria-describedby={`${id}-url-help`}
            spellCheck={false}
            autoComplete="off"
          />
          <p id={`${id}-url-help`} className="text-xs text-muted-foreground">
            {channel
              ? "The secret stays the same; rotate it from the channel list."
              : "A signing secret is made for the webhook and shown once after saving."}
          </p>
        </div>
      ) : (
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">Recipients</legend>
          {smtpConfigured ? null : <SmtpNotConfigured />}
          <div className="grid max-h-56 gap-2 overflow-y-auto rounded-md border p-3 sm:grid-cols-2">
            {members.map((member) => (
              <label key={member.userId} className="flex min-w-0 items-center gap-2 text-sm">
                <Checkbox
                  checked={recipients.includes(member.userId)}
                  onCheckedChange={(on) =>
                    setRecipients((list) =>
                      on === true ? [...list, member.userId] : list.filter((r) => r !== member.userId),
                    )
                  }
                />
                <span className="min-w-0 truncate" title={member.email}>
                  {member.name} <span className="text-muted-foreground">{member.email}</span>
                </span>
              </label>
            ))}
          </div>
          {withoutView.length > 0 ? (
            <p className="text-xs text-muted-foreground">
              {withoutView.map((m) => m.name).join(", ")} cannot view the audit log and will be skipped until given
              “View logs”.
            </p>
          ) : null}
        </fieldset>
      )}
    </FormDialogFrame>
  );
}
