import { isIP } from "node:net";
import { z } from "zod";
import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";
import { checkJsonValue, MAX_JSON_BYTES, MAX_JSON_DEPTH } from "@/lib/validation/json-limits";
import { isSafeText, safeText, showUnsafeText, UNSAFE_TEXT_MESSAGE } from "@/lib/validation/safe-text";

// How far ahead of the server's clock an event may claim to have happened (clock skew).
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
export { MAX_JSON_BYTES, MAX_JSON_DEPTH };

/*
 * Checks first, shaping after. The schema below only checks (trimming is zod's in-place
 * overwrite, not a transform); one plain function then gives every event its stored shape. With
 * a transform on every field, zod 4's compiled object parser spent more than twice the time, on
 * the path that runs all day (docs/performance-history.md).
 */

const text = (max: number) => safeText().trim().min(1).max(max);
const optionalText = (max: number) => safeText().trim().max(max).nullish();

// Depth, size and storable text of the whole value, checked without recursion (json-limits.ts).
const jsonObject = z
  .record(z.string(), z.unknown())
  .nullish()
  .superRefine((value, ctx) => {
    const problem = value == null ? null : checkJsonValue(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem.message, path: problem.path });
  });

// `abort`: text that is not a time gets that one message, not also the two below.
const occurredAt = z.iso
  .datetime({ offset: true, abort: true })
  .refine((v) => Date.parse(v) <= Date.now() + MAX_FUTURE_SKEW_MS, { message: "must not be in the future" })
  .refine((v) => new Date(v).getUTCFullYear() >= 2000, { message: "must be after 2000-01-01" });

const auditEventFields = z.object({
  idempotencyKey: optionalText(200),
  occurredAt,
  actor: z.object({ id: optionalText(200), name: optionalText(300), email: optionalText(320) }).nullish(),
  category: z.enum(auditCategory.enumValues),
  action: text(200),
  description: optionalText(2000),
  target: z.object({ type: optionalText(100), id: optionalText(300), name: optionalText(300) }).nullish(),
  result: z.enum(auditResult.enumValues),
  level: z.enum(auditLevel.enumValues).optional(),
  service: optionalText(200),
  ip: safeText()
    .trim()
    .refine((v) => isIP(v) !== 0, { message: "must be an IPv4 or IPv6 address" })
    .nullish(),
  userAgent: optionalText(1000),
  requestId: optionalText(200),
  correlationId: optionalText(200),
  params: jsonObject,
  before: jsonObject,
  after: jsonObject,
  error: z.object({ code: optionalText(200), message: optionalText(2000) }).nullish(),
});

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/*
 * Unknown keys are dropped when the event is shaped, but one that PostgreSQL could not take is still
 * named: a client learns of it instead of losing data it thought it sent. Checked on the raw
 * input, since the object parser strips unknown keys before any refinement sees them.
 */
function unsafeKeys(value: unknown, ctx: z.core.$RefinementCtx) {
  const check = (object: Record<string, unknown>, path: string[]) => {
    for (const key of Object.keys(object)) {
      if (isSafeText(key)) continue;
      ctx.addIssue({ code: "custom", message: `key ${UNSAFE_TEXT_MESSAGE}`, path: [...path, showUnsafeText(key)] });
    }
  };
  if (!isRecord(value)) return;
  check(value, []);
  for (const field of ["actor", "target", "error"]) {
    const nested = value[field];
    if (isRecord(nested)) check(nested, [field]);
  }
}

const auditEventChecks = z.unknown().superRefine(unsafeKeys).pipe(auditEventFields);

type CheckedEvent = z.output<typeof auditEventFields>;

/** Absent, null and blank (after trimming) are all "no value". */
const orNull = <T>(v: T | null | undefined): T | null => (v ? v : null);

/** The stored shape of a checked event: every field present, null for no value. */
function shapeAuditEvent(e: CheckedEvent) {
  const actor = e.actor ?? null;
  const target = e.target ?? null;
  const error = e.error ?? null;
  return {
    idempotencyKey: orNull(e.idempotencyKey),
    occurredAt: new Date(e.occurredAt),
    actor: actor && {
      id: orNull(actor.id),
      name: orNull(actor.name),
      email: actor.email ? actor.email.toLowerCase() : null,
    },
    category: e.category,
    action: e.action,
    description: orNull(e.description),
    target: target && { type: orNull(target.type), id: orNull(target.id), name: orNull(target.name) },
    result: e.result,
    level: e.level ?? "information",
    service: orNull(e.service),
    ip: e.ip ?? null,
    userAgent: orNull(e.userAgent),
    requestId: orNull(e.requestId),
    correlationId: orNull(e.correlationId),
    params: e.params ?? null,
    before: e.before ?? null,
    after: e.after ?? null,
    error: error && { code: orNull(error.code), message: orNull(error.message) },
  };
}

export const auditEventSchema = auditEventChecks.transform(shapeAuditEvent);

export type AuditEventInput = z.input<typeof auditEventFields>;
export type AuditEvent = z.output<typeof auditEventSchema>;

export const MAX_BATCH = 1000;

const batchSchema = z.object({ events: z.array(auditEventSchema).min(1).max(MAX_BATCH) }).strict();
const singleSchema = auditEventSchema.transform((event) => ({ events: [event] }));

/** One event, or `{ events: [...] }`; chosen by shape so field errors name the right paths. */
export function parseAuditBatch(body: unknown) {
  const isBatch = typeof body === "object" && body !== null && "events" in body;
  return isBatch ? batchSchema.safeParse(body) : singleSchema.safeParse(body);
}
