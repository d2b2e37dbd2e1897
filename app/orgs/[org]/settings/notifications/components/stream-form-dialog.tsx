"use client";

import { useId, useState } from "react";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { conditionProblems } from "../lib/condition";
import { CHANNEL_NAME_MAX, WEBHOOK_URL_MAX } from "../lib/rules";
import { createStreamAction, updateStreamAction } from "../lib/stream-actions";
import { STREAM_BATCH_SIZE, STREAM_MAX_WAIT, STREAM_TOKEN_MAX } from "../lib/stream-schemas";
import type { StreamDto, StreamSecretAnswer } from "../lib/types";
import { FormDialog, FormDialogFrame, useActionForm } from "./form-dialog";

interface StreamFormProps {
  orgSlug: string;
  /** null: a new stream. */
  stream: StreamDto | null;
  onOpenChange: (open: boolean) => void;
  onSecret: (secret: StreamSecretAnswer) => void;
}

export function StreamFormDialog({ open, ...props }: StreamFormProps & { open: boolean }) {
  // The form mounts with the dialog's content, so each opening starts from the stream as it is now.
  return (
    <FormDialog open={open} onOpenChange={props.onOpenChange}>
      <StreamForm {...props} />
    </FormDialog>
  );
}

function StreamForm({ orgSlug, stream, onOpenChange, onSecret }: StreamFormProps) {
  const id = useId();
  const [format, setFormat] = useState<"ndjson" | "splunk_hec">(stream?.format ?? "ndjson");
  const [name, setName] = useState(stream?.name ?? "");
  const [url, setUrl] = useState(stream?.url ?? "");
  const [token, setToken] = useState("");
  const [query, setQuery] = useState(stream?.query ?? "");
  const [batchSize, setBatchSize] = useState(String(stream?.batchSize ?? 500));
  const [maxWait, setMaxWait] = useState(String(stream?.maxWaitSeconds ?? 5));
  const form = useActionForm(onOpenChange);
  const { fieldErrors } = form;
  const queryProblems = conditionProblems(query);

  function submit() {
    const common = { name, url, query, batchSize: Number(batchSize), maxWaitSeconds: Number(maxWait) };
    const success = () => (stream ? `Stream “${name.trim()}” saved` : `Stream “${name.trim()}” created`);
    if (stream) {
      form.run(() => updateStreamAction(orgSlug, { ...common, id: stream.id, ...(token ? { token } : {}) }), {
        success,
      });
      return;
    }
    form.run(
      () =>
        createStreamAction(
          orgSlug,
          format === "splunk_hec" ? { ...common, format, token } : { ...common, format: "ndjson" },
        ),
      { success, after: (data) => (data.secret ? onSecret(data.secret) : undefined) },
    );
  }

  const splunk = format === "splunk_hec";
  return (
    <FormDialogFrame
      formId={`${id}-form`}
      title={stream ? `Edit stream “${stream.name}”` : "New stream"}
      description="Sends every new entry matching the search, in order of arrival, in batches."
      form={form}
      submitLabel={stream ? "Save stream" : "Create stream"}
      onSubmit={submit}
      onCancel={() => onOpenChange(false)}
    >
      {stream ? null : (
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">Format</legend>
          <RadioGroup
            value={format}
            onValueChange={(v) => setFormat(v === "splunk_hec" ? "splunk_hec" : "ndjson")}
            className="flex flex-wrap gap-5"
          >
            <label className="flex items-center gap-2 text-sm">
              <RadioGroupItem value="ndjson" /> NDJSON (signed)
            </label>
            <label className="flex items-center gap-2 text-sm">
              <RadioGroupItem value="splunk_hec" /> Splunk HEC
            </label>
          </RadioGroup>
        </fieldset>
      )}
      <div className="grid gap-2">
        <Label htmlFor={`${id}-name`}>Stream name</Label>
        <Input
          id={`${id}-name`}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={CHANNEL_NAME_MAX}
          placeholder="e.g. SIEM"
          aria-invalid={fieldErrors.name ? true : undefined}
        />
      </div>
      <div className="grid gap-2">
        <Label htmlFor={`${id}-url`}>Receiver URL</Label>
        <Input
          id={`${id}-url`}
          type="url"
          inputMode="url"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          maxLength={WEBHOOK_URL_MAX}
          placeholder={
            splunk ? "https://splunk.example.com:8088/services/collector/event" : "https://siem.example.com/ingest"
          }
          className="font-mono"
          aria-invalid={fieldErrors.url ? true : undefined}
          aria-describedby={`${id}-url-help`}
          spellCheck={false}
          autoComplete="off"
        />
        <p id={`${id}-url-help`} className="text-xs text-muted-foreground">
          {splunk
            ? "The collector's event endpoint. Redirects are not followed."
            : stream
              ? "The signing secret stays the same."
              : "A signing secret is made for the stream and shown once after saving. Redirects are not followed."}
        </p>
      </div>
      {splunk ? (
        <div className="grid gap-2">
          <Label htmlFor={`${id}-token`}>{stream ? "New HEC token (optional)" : "HEC token"}</Label>
          <Input
            id={`${id}-token`}
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            maxLength={STREAM_TOKEN_MAX}
            className="font-mono"
            aria-invalid={fieldErrors.token ? true : undefined}
            autoComplete="off"
            spellCheck={false}
          />
          <p className="text-xs text-muted-foreground">
            Sent as <code>Authorization: Splunk &lt;token&gt;</code>; stored encrypted and never shown again.
          </p>
        </div>
      ) : null}
      <div className="grid gap-2">
        <Label htmlFor={`${id}-query`}>Search (optional)</Label>
        <Input
          id={`${id}-query`}
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="e.g. type:auth result:failed"
          className="font-mono"
          aria-invalid={fieldErrors.query || queryProblems.length > 0 ? true : undefined}
          aria-describedby={`${id}-query-help`}
          spellCheck={false}
        />
        <p id={`${id}-query-help`} className="text-xs text-muted-foreground">
          {queryProblems.length > 0
            ? queryProblems.join(" ")
            : "The explorer's search language. Empty sends every entry."}
        </p>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="grid gap-2">
          <Label htmlFor={`${id}-batch`}>Batch size (entries)</Label>
          <Input
            id={`${id}-batch`}
            type="number"
            inputMode="numeric"
            min={STREAM_BATCH_SIZE.min}
            max={STREAM_BATCH_SIZE.max}
            value={batchSize}
            onChange={(e) => setBatchSize(e.target.value)}
            aria-invalid={fieldErrors.batchSize ? true : undefined}
          />
        </div>
        <div className="grid gap-2">
          <Label htmlFor={`${id}-wait`}>Maximum wait (seconds)</Label>
          <Input
            id={`${id}-wait`}
            type="number"
            inputMode="numeric"
            min={STREAM_MAX_WAIT.min}
            max={STREAM_MAX_WAIT.max}
            value={maxWait}
            onChange={(e) => setMaxWait(e.target.value)}
            aria-invalid={fieldErrors.maxWaitSeconds ? true : undefined}
          />
        </div>
      </div>
    </FormDialogFrame>
  );
}
