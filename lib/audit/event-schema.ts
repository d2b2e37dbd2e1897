import { isIP } from "node:net";
import { z } from "zod";
import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";

// How far ahead of the server's clock an event may claim to have happened (clock skew).
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
const MAX_JSON_BYTES = 64 * 1024;

/*
 * Checks first, shaping after. The schema below only checks (trimming is zod's in-place
 * overwrite, not a transform); one plain function then gives every event its stored shape. With
 * a transform on every field, zod 4's compiled object parser spent more than twice the time, on
 * the path that runs all day (docs/performance-history.md).
 */

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullish();

const jsonObject = z
  .record(z.string(), z.unknown())
  .nullish()
  .refine((v) => v == null || JSON.stringify(v).length <= MAX_JSON_BYTES, {
    message: `must be at most ${MAX_JSON_BYTES / 1024} KiB of JSON`,
  });

// `abort`: text that is not a time gets that one message, not also the two below.
const occurredAt = z.iso
  .datetime({ offset: true, abort: true })
  .refine((v) => Date.parse(v) <= Date.now() + MAX_FUTURE_SKEW_MS, { message: "must not be in the future" })
  .refine((v) => new Date(v).getUTCFullYear() >= 2000, { message: "must be after 2000-01-01" });

const auditEventChecks = z.object({
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
  ip: z
    .string()
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

type CheckedEvent = z.output<typeof auditEventChecks>;

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

export type AuditEventInput = z.input<typeof auditEventSchema>;
export type AuditEvent = z.output<typeof auditEventSchema>;

export const MAX_BATCH = 1000;

const batchSchema = z.object({ events: z.array(auditEventSchema).min(1).max(MAX_BATCH) }).strict();
const singleSchema = auditEventSchema.transform((event) => ({ events: [event] }));

/** One event, or `{ events: [...] }`; chosen by shape so field errors name the right paths. */
export function parseAuditBatch(body: unknown) {
  const isBatch = typeof body === "object" && body !== null && "events" in body;
  return isBatch ? batchSchema.safeParse(body) : singleSchema.safeParse(body);
}
