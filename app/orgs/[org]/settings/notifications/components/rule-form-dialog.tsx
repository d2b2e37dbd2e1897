"use client";

import { ExternalLink, TriangleAlert } from "lucide-react";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RadioGroup, RadioGroupItem } from "@/components/ui/radio-group";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { auditCategory, auditResult, type AuditCategory, type AuditResult } from "@/db/schema/enums";
import { CATEGORY_LABELS, RESULT_LABELS } from "@/lib/audit-log/labels";
import { createRuleAction, previewRuleAction, updateRuleAction } from "../lib/actions";
import { conditionProblems } from "../lib/condition";
import {
  isEmptyCondition,
  NOISY_EACH_PREVIEW,
  PREVIEW_DAYS,
  RULE_NAME_MAX,
  THRESHOLD_COUNT,
  THRESHOLD_MINUTES,
  type GroupByChoice,
} from "../lib/rules";
import type { ChannelDto, RuleDto, RulePreview } from "../lib/types";
import { FormDialog, FormDialogFrame, useActionForm } from "./form-dialog";

interface Draft {
  name: string;
  query: string;
  types: AuditCategory[];
  results: AuditResult[];
  mode: "each" | "threshold";
  thresholdCount: string;
  thresholdMinutes: string;
  groupBy: GroupByChoice;
  channelIds: string[];
  enabled: boolean;
}

function draftOf(rule: RuleDto | null, channels: ChannelDto[]): Draft {
  if (!rule)
    return {
      name: "",
      query: "",
      types: [],
      results: [],
      mode: "each",
      thresholdCount: "5",
      thresholdMinutes: "10",
      groupBy: "none",
      channelIds: channels.length === 1 ? [channels[0]!.id] : [],
      enabled: true,
    };
  return {
    name: rule.name,
    query: rule.query,
    types: rule.types,
    results: rule.results,
    mode: rule.mode,
    thresholdCount: String(rule.thresholdCount ?? 5),
    thresholdMinutes: String(rule.thresholdMinutes ?? 10),
    groupBy: rule.groupBy ?? "none",
    channelIds: rule.channelIds,
    enabled: rule.enabled,
  };
}

function toggle<T>(list: readonly T[], value: T, on: boolean, order: readonly T[]): T[] {
  const next = on ? [...list, value] : list.filter((v) => v !== value);
  return order.filter((v) => next.includes(v));
}

const numberOrNull = (text: string) => (text.trim() === "" ? null : Number(text));

type PreviewState =
  | { status: "idle"; why: "empty" | "invalid" }
  | { status: "loading" }
  | { status: "done"; preview: RulePreview }
  | { status: "error"; message: string };

type Answer = { key: string; state: Extract<PreviewState, { status: "done" | "error" }> };

/** Counts what the condition matched over the last 7 days, a moment after the person stops typing. */
function usePreview(orgSlug: string, condition: Pick<Draft, "query" | "types" | "results">): PreviewState {
  const [answer, setAnswer] = useState<Answer | null>(null);
  const key = JSON.stringify([condition.query, condition.types, condition.results]);
  const invalid = conditionProblems(condition.query).length > 0;
  const empty = isEmptyCondition(condition);
  useEffect(() => {
    if (invalid || empty) return;
    let current = true;
    const [query, types, results] = JSON.parse(key) as [string, AuditCategory[], AuditResult[]];
    const timer = setTimeout(async () => {
      let state: Answer["state"];
      try {
        const result = await previewRuleAction(orgSlug, { query, types, results });
        state =
          result.error !== undefined
            ? { status: "error", message: result.error }
            : { status: "done", preview: result.data };
      } catch {
        state = { status: "error", message: "The preview could not be counted." };
      }
      // Only the answer to the latest condition is shown; a slower, older one is dropped.
      if (current) setAnswer({ key, state });
    }, 400);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [orgSlug, key, invalid, empty]);
  if (invalid) return { status: "idle", why: "invalid" };
  if (empty) return { status: "idle", why: "empty" };
  return answer?.key === key ? answer.state : { status: "loading" };
}

function PreviewLine({ state, mode }: { state: PreviewState; mode: Draft["mode"] }) {
  if (state.status === "idle")
    return (
      <p className="text-sm text-muted-foreground">
        {state.why === "invalid"
          ? "Correct the search text to see how many entries it matches."
          : "Enter a condition to see how many entries it matches."}
      </p>
    );
  if (state.status === "loading")
    return (
      <p className="text-sm text-muted-foreground" aria-busy="true">
        Counting matching entries…
      </p>
    );
  if (state.status === "error")
    return (
      <p role="alert" className="text-sm text-destructive">
        {state.message}
      </p>
    );
  const { preview } = state;
  if (preview.problems.length > 0 || preview.count === null)
    return <p className="text-sm text-destructive">{preview.problems.join(" ")}</p>;
  const { count } = preview;
  const n = count.exact ? count.count : count.atLeast;
  const text = count.exact
    ? `Matched ${n.toLocaleString("en-US")} ${n === 1 ? "entry" : "entries"} in the last ${PREVIEW_DAYS} days.`
    : `Matched more than ${n.toLocaleString("en-US")} entries in the last ${PREVIEW_DAYS} days.`;
  const noisy = mode === "each" && (!count.exact || n > NOISY_EACH_PREVIEW);
  return (
    <div className="grid gap-2">
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <span data-testid="rule-preview-count">{text}</span>
        <Link
          prefetch={false}
          href={preview.searchHref}
          target="_blank"
          rel="noopener"
          className="inline-flex items-center gap-1 text-primary underline-offset-4 hover:underline"
        >
          Show matching entries <ExternalLink className="size-3" aria-hidden />
          <span className="sr-only">(opens in a new tab)</span>
        </Link>
      </p>
      {noisy ? (
        <Alert variant="destructive">
          <TriangleAlert className="size-4" aria-hidden />
          <AlertDescription>
            In “each” mode this rule would have sent {count.exact ? "" : "more than "}
            {n.toLocaleString("en-US")} messages in {PREVIEW_DAYS} days. Narrow the condition, or use a threshold.
          </AlertDescription>
        </Alert>
      ) : null}
    </div>
  );
}

interface RuleFormProps {
  orgSlug: string;
  channels: ChannelDto[];
  /** null: a new rule. */
  rule: RuleDto | null;
  onOpenChange: (open: boolean) => void;
}

export function RuleFormDialog({ open, ...props }: RuleFormProps & { open: boolean }) {
  // The form mounts with the dialog's content, so each opening starts from the rule as it is now.
  return (
    <FormDialog open={open} onOpenChange={props.onOpenChange} wide>
      <RuleForm {...props} />
    </FormDialog>
  );
}

function RuleForm({ orgSlug, channels, rule, onOpenChange }: RuleFormProps) {
  const id = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule, channels));
  const form = useActionForm(onOpenChange);
  const { fieldErrors } = form;
  const preview = usePreview(orgSlug, draft);
  const queryProblems = conditionProblems(draft.query);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  function submit() {
    const input = {
      name: draft.name,
      query: draft.query,
      types: draft.types,
      results: draft.results,
      mode: draft.mode,
      thresholdCount: draft.mode === "threshold" ? numberOrNull(draft.thresholdCount) : null,
      thresholdMinutes: draft.mode === "threshold" ? numberOrNull(draft.thresholdMinutes) : null,
      groupBy: draft.groupBy,
      channelIds: draft.channelIds,
      enabled: draft.enabled,
    };
    const success = () => (rule ? `Rule “${draft.name.trim()}” saved` : `Rule “${draft.name.trim()}” created`);
    if (rule) form.run(() => updateRuleAction(orgSlug, { ...input, id: rule.id }), { success });
    else form.run(() => createRuleAction(orgSlug, input), { success });
  }

  const fieldError = (name: string) =>
    fieldErrors[name] ? (
      <p id={`${id}-${name}-error`} className="text-sm text-destructive">
        {fieldErrors[name]}
      </p>
    ) : null;

  return (
    <FormDialogFrame
      formId={`${id}-form`}
      title={rule ? `Edit rule “${rule.name}”` : "New rule"}
      description="The condition is a search of the audit log, in the explorer's own search language."
      form={form}
      submitLabel={rule ? "Save rule" : "Create rule"}
      onSubmit={submit}
      onCancel={() => onOpenChange(false)}
    >
      <div className="grid gap-2">
        <Label htmlFor={`${id}-name`}>Rule name</Label>
        <Input
          id={`${id}-name`}
          value={draft.name}
          onChange={(e) => set("name", e.target.value)}
          maxLength={RULE_NAME_MAX}
          placeholder="e.g. Failed admin sign-ins"
          aria-invalid={fieldErrors.name ? true : undefined}
        />
      </div>

      <fieldset className="grid gap-3">
        <legend className="mb-2 text-sm font-medium">Condition</legend>
        <div className="grid gap-2">
          <Label htmlFor={`${id}-query`}>Search text</Label>
          <Input
            id={`${id}-query`}
            type="search"
            value={draft.query}
            onChange={(e) => set("query", e.target.value)}
            placeholder="e.g. level:notice action:delete"
            className="font-mono"
            aria-invalid={queryProblems.length > 0 || fieldErrors.query ? true : undefined}
            aria-describedby={`${id}-query-help`}
            spellCheck={false}
            autoComplete="off"
          />
          <p id={`${id}-query-help`} className="text-xs text-muted-foreground">
            {queryProblems.length > 0 ? (
              <span className="text-destructive">{queryProblems.join(" ")}</span>
            ) : (
              <>
                Words and qualifiers such as <code>user:</code>, <code>action:</code>, <code>ip:</code>,{" "}
                <code>level:</code>, <code>-</code> to negate.
              </>
            )}
          </p>
          {fieldError("query")}
        </div>
        <div className="grid gap-2">
          <span className="text-sm font-medium" id={`${id}-types`}>
            Types <span className="font-normal text-muted-foreground">(none chosen: all)</span>
          </span>
          <div role="group" aria-labelledby={`${id}-types`} className="grid grid-cols-2 gap-2 sm:grid-cols-4">
            {auditCategory.enumValues.map((category) => (
              <label key={category} className="flex items-center gap-2 text-sm">
                <Checkbox
                  checked={draft.types.includes(category)}
                  onCheckedChange={(on) =>
                    set("types", toggle(draft.types, category, on === true, auditCategory.enumValues))
                  }
                />
                {CATEGORY_LABELS[category]}
              </label>
            ))}
          </div>
        </div>
        <div className="grid gap-2">
          <span className="text-sm font-medium" id={`${id}-results`}>
            Results <span className="font-normal text-muted-foreground">(none chosen: all)</span>
          </span>
          <div role="group" aria-labelledby={`${id}-results`} className="flex flex-wrap gap-x-5 gap-y-2">
            {auditResult.enumValues.map((result) => (
              <label key={result} className="flex items-center gap-2 text-sm">
                <Checkbox
                  checked={draft.results.includes(result)}
                  onCheckedChange={(on) =>
                    set("results", toggle(draft.results, result, on === true, auditResult.enumValues))
                  }
                />
                {RESULT_LABELS[result]}
              </label>
            ))}
          </div>
        </div>
        <div className="rounded-md border bg-muted/40 p-3" aria-live="polite">
          <PreviewLine state={preview} mode={draft.mode} />
        </div>
      </fieldset>

      <fieldset className="grid gap-3">
        <legend className="mb-2 text-sm font-medium">When to send</legend>
        <RadioGroup
          value={draft.mode}
          onValueChange={(v) => set("mode", v === "threshold" ? "threshold" : "each")}
          className="grid gap-2"
        >
          <label className="flex items-center gap-2 text-sm">
            <RadioGroupItem value="each" /> One message for each matching entry
          </label>
          <label className="flex items-center gap-2 text-sm">
            <RadioGroupItem value="threshold" /> One message when enough entries match within a time window
          </label>
        </RadioGroup>
        {draft.mode === "threshold" ? (
          <div className="flex flex-wrap items-end gap-3 pl-6">
            <div className="grid gap-1.5">
              <Label htmlFor={`${id}-count`}>Entries</Label>
              <Input
                id={`${id}-count`}
                type="number"
                inputMode="numeric"
                min={THRESHOLD_COUNT.min}
                max={THRESHOLD_COUNT.max}
                value={draft.thresholdCount}
                onChange={(e) => set("thresholdCount", e.target.value)}
                className="w-24"
                aria-invalid={fieldErrors.thresholdCount ? true : undefined}
              />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor={`${id}-minutes`}>Within minutes</Label>
              <Input
                id={`${id}-minutes`}
                type="number"
                inputMode="numeric"
                min={THRESHOLD_MINUTES.min}
                max={THRESHOLD_MINUTES.max}
                value={draft.thresholdMinutes}
                onChange={(e) => set("thresholdMinutes", e.target.value)}
                className="w-28"
                aria-invalid={fieldErrors.thresholdMinutes ? true : undefined}
              />
            </div>
            <div className="grid gap-1.5">
              <Label htmlFor={`${id}-group`}>Counted</Label>
              <Select value={draft.groupBy} onValueChange={(v) => set("groupBy", v as GroupByChoice)}>
                <SelectTrigger id={`${id}-group`} className="w-44">
                  <SelectValue />
                </SelectTrigger>
                <SelectContent>
                  <SelectItem value="none">all together</SelectItem>
                  <SelectItem value="user">per user</SelectItem>
                  <SelectItem value="ip">per IP address</SelectItem>
                </SelectContent>
              </Select>
            </div>
          </div>
        ) : null}
      </fieldset>

      <fieldset className="grid gap-2">
        <legend className="mb-2 text-sm font-medium">Channels</legend>
        {channels.length === 0 ? (
          <p className="text-sm text-muted-foreground">
            No channels yet. Save the rule now and add channels to it later, or create a channel first.
          </p>
        ) : (
          <div className="grid gap-2 sm:grid-cols-2">
            {channels.map((channel) => (
              <label key={channel.id} className="flex items-center gap-2 text-sm">
                <Checkbox
                  checked={draft.channelIds.includes(channel.id)}
                  onCheckedChange={(on) =>
                    set(
                      "channelIds",
                      on === true
                        ? [...draft.channelIds, channel.id]
                        : draft.channelIds.filter((c) => c !== channel.id),
                    )
                  }
                />
                <span className="truncate">
                  {channel.name}{" "}
                  <span className="text-muted-foreground">({channel.kind === "email" ? "e-mail" : "webhook"})</span>
                </span>
              </label>
            ))}
          </div>
        )}
      </fieldset>

      <label className="flex items-center gap-3 text-sm">
        <Switch checked={draft.enabled} onCheckedChange={(on) => set("enabled", on)} />
        Enabled <span className="text-muted-foreground">(paused rules send nothing)</span>
      </label>
    </FormDialogFrame>
  );
}
