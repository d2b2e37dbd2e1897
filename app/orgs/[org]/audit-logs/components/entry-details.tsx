"use client";

import type { ReactNode } from "react";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { CATEGORY_LABELS } from "@/lib/audit-log/labels";
import type { AuditEntryDetails, CollapsedJson, JsonValue, TimelineStep } from "@/lib/audit-log/types";
import { NobodyActor } from "./actor-cell";
import { CollapsedJsonBlock } from "./collapsed-json";
import { JsonText } from "./json-text";
import { EntryTimeline } from "./entry-timeline";
import { JsonDiff } from "./json-diff";
import { PivotLinks } from "./pivot-context";
import { RawEntry } from "./raw-entry";
import { formatUtcDateTime, LocalTime, TimeZoneName, UtcTimeIfElsewhere } from "@/components/time/local-time";
import { ResultBadge } from "./result-badge";

/*
 * Everything recorded about one entry. Log data comes from other services and from users, so it
 * is only ever rendered as React text (never as HTML): `<img onerror=…>` in a description shows
 * as those characters.
 */

function Field({
  label,
  children,
  mono,
  pivot,
}: {
  label: string;
  children: ReactNode;
  mono?: boolean;
  /** Add-to / exclude-from-the-search links for the value. */
  pivot?: ReactNode;
}) {
  const value = mono ? "font-mono text-xs leading-5 break-all" : "text-sm leading-5 break-words";
  return (
    <div className="grid grid-cols-[7.5rem_minmax(0,1fr)] gap-3 py-1.5">
      <dt className="text-xs leading-5 text-muted-foreground">{label}</dt>
      {pivot ? (
        <dd className="flex min-w-0 items-start justify-between gap-1">
          <span className={`min-w-0 ${value}`}>{children}</span>
          {pivot}
        </dd>
      ) : (
        <dd className={value}>{children}</dd>
      )}
    </div>
  );
}

function Missing() {
  return <span className="text-muted-foreground">—</span>;
}

function text(value: string | null | undefined): ReactNode {
  return value ? value : <Missing />;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="grid gap-2">
      <h3 className="text-xs font-semibold tracking-wide text-muted-foreground uppercase">{title}</h3>
      {children}
    </div>
  );
}

function JsonBlock({ value, label, collapsed }: { value: JsonValue | null; label: string; collapsed?: CollapsedJson }) {
  if (collapsed) return <CollapsedJsonBlock view={collapsed} label={label} />;
  if (value === null) return <p className="text-sm text-muted-foreground">None recorded.</p>;
  return <JsonText label={label} text={JSON.stringify(value, null, 2)} wrap="lines" />;
}

function Actor({ actor }: { actor: AuditEntryDetails["actor"] }) {
  if (!actor) return <NobodyActor />;
  return (
    <span className="grid">
      <span className="font-medium">{actor.name ?? actor.email ?? actor.id}</span>
      {actor.name && actor.email ? <span className="text-xs text-muted-foreground">{actor.email}</span> : null}
      {actor.id ? <span className="font-mono text-xs text-muted-foreground">id {actor.id}</span> : null}
    </span>
  );
}

function Changes({
  before,
  after,
  collapsed = {},
}: {
  before: JsonValue | null;
  after: JsonValue | null;
  collapsed?: AuditEntryDetails["collapsed"];
}) {
  const tooBig = Boolean(collapsed.before || collapsed.after);
  if (before === null && after === null && !tooBig)
    return <p className="text-sm text-muted-foreground">No before or after data recorded.</p>;
  return (
    <Tabs defaultValue="diff">
      <TabsList className="h-8">
        <TabsTrigger value="diff" className="text-xs">
          Changes
        </TabsTrigger>
        <TabsTrigger value="before" className="text-xs">
          Before
        </TabsTrigger>
        <TabsTrigger value="after" className="text-xs">
          After
        </TabsTrigger>
      </TabsList>
      <TabsContent value="diff">
        {tooBig ? (
          <p className="text-sm text-muted-foreground">
            Too deep or large to compare field by field; see Before and After.
          </p>
        ) : (
          <JsonDiff before={before} after={after} />
        )}
      </TabsContent>
      <TabsContent value="before">
        <JsonBlock value={before} label="Before" collapsed={collapsed.before} />
      </TabsContent>
      <TabsContent value="after">
        <JsonBlock value={after} label="After" collapsed={collapsed.after} />
      </TabsContent>
    </Tabs>
  );
}

export function EntryDetails({
  details,
  timeline,
  hrefFor,
  onOpen,
}: {
  details: AuditEntryDetails;
  timeline: TimelineStep[];
  hrefFor: (id: string) => string;
  onOpen: (id: string) => void;
}) {
  const target = details.target;
  const actorValue = details.actor?.email ?? details.actor?.id ?? null;
  const targetValue = target.name ?? target.id;
  const at = details.id;
  const errorShownAbove = details.result === "failed" && Boolean(details.errorCode || details.errorMessage);
  return (
    <div className="grid gap-6" data-details-for={details.id}>
      <div className="grid gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <ResultBadge result={details.result} />
          <span className="text-xs text-muted-foreground">{CATEGORY_LABELS[details.category]}</span>
        </div>
        <p className="text-base leading-snug font-semibold break-words">{details.action}</p>
        {details.description ? (
          <p className="text-sm break-words text-muted-foreground">{details.description}</p>
        ) : null}
      </div>

      {errorShownAbove ? (
        <div
          className="grid gap-1 rounded-md border border-destructive/30 bg-destructive/5 p-3"
          role="note"
          aria-label="Error"
        >
          {details.errorCode ? (
            <p className="font-mono text-xs text-destructive dark:text-red-300">
              {details.errorCode}
              {details.errorCode === "invalid_input" ? " (the action failed because of an invalid input value)" : ""}
            </p>
          ) : null}
          {details.errorMessage ? <p className="text-sm break-words">{details.errorMessage}</p> : null}
        </div>
      ) : null}

      <Section title="Event">
        <dl className="divide-y">
          <Field label="Time">
            <span className="grid">
              <span>
                <LocalTime iso={details.occurredAt} className="font-mono text-xs" />{" "}
                <span className="text-xs text-muted-foreground">
                  (<TimeZoneName />)
                </span>
              </span>
              <UtcTimeIfElsewhere iso={details.occurredAt} className="font-mono text-xs text-muted-foreground" />
            </span>
          </Field>
          <Field
            label="Actor"
            pivot={
              <PivotLinks
                field="actor"
                value={actorValue}
                shown={details.actor?.name ?? actorValue ?? ""}
                entryId={at}
              />
            }
          >
            <Actor actor={details.actor} />
          </Field>
          <Field
            label="Category"
            pivot={
              <PivotLinks
                field="type"
                value={details.category}
                shown={CATEGORY_LABELS[details.category]}
                entryId={at}
              />
            }
          >
            {CATEGORY_LABELS[details.category]}
          </Field>
          <Field label="Action" pivot={<PivotLinks field="action" value={details.action} entryId={at} />}>
            {details.action}
          </Field>
          <Field label="Target" pivot={<PivotLinks field="target" value={targetValue} entryId={at} />}>
            {target.name || target.id || target.type ? (
              <span className="grid">
                <span>{target.name ?? target.id}</span>
                <span className="text-xs text-muted-foreground">
                  {[target.type, target.name ? target.id : null].filter(Boolean).join(" · ")}
                </span>
              </span>
            ) : (
              <Missing />
            )}
          </Field>
          <Field label="Result" pivot={<PivotLinks field="result" value={details.result} entryId={at} />}>
            <ResultBadge result={details.result} />
          </Field>
          {/* A failure's code and message are in the error box above: shown once. */}
          {details.errorCode && !errorShownAbove ? (
            <Field label="Error code" mono>
              {details.errorCode}
            </Field>
          ) : null}
          {details.errorMessage && !errorShownAbove ? (
            <Field label="Error message">{details.errorMessage}</Field>
          ) : null}
          <Field label="Level" pivot={<PivotLinks field="level" value={details.level} entryId={at} />}>
            {details.level === "notice" ? "Notice" : "Information"}
          </Field>
          <Field label="Service / module" pivot={<PivotLinks field="service" value={details.service} entryId={at} />}>
            {text(details.service)}
          </Field>
        </dl>
      </Section>

      <Section title="Request">
        <dl className="divide-y">
          <Field label="Request IP" mono pivot={<PivotLinks field="ip" value={details.ip} entryId={at} />}>
            {text(details.ip)}
          </Field>
          <Field label="User agent" mono>
            {text(details.userAgent)}
          </Field>
          <Field
            label="request_id"
            mono
            pivot={<PivotLinks field="request_id" value={details.requestId} entryId={at} />}
          >
            {text(details.requestId)}
          </Field>
          <Field
            label="Correlation id"
            mono
            pivot={<PivotLinks field="correlation_id" value={details.correlationId} entryId={at} />}
          >
            {text(details.correlationId)}
          </Field>
          <Field label="Entry id" mono>
            {details.id}
          </Field>
          <Field label="Received" mono>
            {formatUtcDateTime(details.receivedAt)} UTC
          </Field>
        </dl>
      </Section>

      <Section title="Request parameters">
        <JsonBlock value={details.params} label="Request parameters" collapsed={details.collapsed?.params} />
      </Section>

      <Section title="Before / after">
        <Changes before={details.before} after={details.after} collapsed={details.collapsed} />
      </Section>

      {timeline.length > 0 ? (
        <Section title={`Timeline (${timeline.length} ${timeline.length === 1 ? "step" : "steps"})`}>
          <EntryTimeline steps={timeline} currentId={details.id} hrefFor={hrefFor} onOpen={onOpen} />
        </Section>
      ) : null}

      <Section title="Raw entry">
        <RawEntry details={details} />
      </Section>
    </div>
  );
}
