import { isIP } from "node:net";
import { z } from "zod";
import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";

// How far ahead of the server's clock an event may claim to have happened (clock skew).
export const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
const MAX_JSON_BYTES = 64 * 1024;

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.string().trim().max(max).nullish().transform((v) => (v ? v : null));

const jsonObject = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((v) => v ?? null)
  .refine((v) => v === null || JSON.stringify(v).length <= MAX_JSON_BYTES, {
    message: `must be at most ${MAX_JSON_BYTES / 1024} KiB of JSON`,
  });

export const auditEventSchema = z.object({
  idempotencyKey: optionalText(200),
  occurredAt: z.iso
    .datetime({ offset: true })
    .transform((v) => new Date(v))
    .refine((d) => d.getTime() <= Date.now() + MAX_FUTURE_SKEW_MS, {
      message: "must not be in the future",
    })
    .refine((d) => d.getUTCFullYear() >= 2000, { message: "must be after 2000-01-01" }),
  actor: z
    .object({
      id: optionalText(200),
      name: optionalText(300),
      email: optionalText(320).transform((v) => (v ? v.toLowerCase() : null)),
    })
    .nullish()
    .transform((v) => v ?? null),
  category: z.enum(auditCategory.enumValues),
  action: text(200),
  description: optionalText(2000),
  target: z
    .object({ type: optionalText(100), id: optionalText(300), name: optionalText(300) })
    .nullish()
    .transform((v) => v ?? null),
  result: z.enum(auditResult.enumValues),
  level: z.enum(auditLevel.enumValues).default("information"),
  service: optionalText(200),
  ip: z
    .string()
    .trim()
    .refine((v) => isIP(v) !== 0, { message: "must be an IPv4 or IPv6 address" })
    .nullish()
    .transform((v) => v ?? null),
  userAgent: optionalText(1000),
  requestId: optionalText(200),
  correlationId: optionalText(200),
  params: jsonObject,
  before: jsonObject,
  after: jsonObject,
  error: z
    .object({ code: optionalText(200), message: optionalText(2000) })
    .nullish()
    .transform((v) => v ?? null),
});

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
