import { describe, expect, it } from "vitest";
import { auditEventSchema, MAX_FUTURE_SKEW_MS, parseAuditBatch } from "@/lib/audit/event-schema";

const minimal = { occurredAt: "2026-11-20T09:00:00Z", category: "service", action: "deploy", result: "done" };

function issuesOf(input: unknown): string[] {
  const parsed = auditEventSchema.safeParse(input);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).sort();
}

describe("auditEventSchema", () => {
  it("gives an event with only the required fields every other field as null, and the default level", () => {
    expect(auditEventSchema.parse(minimal)).toEqual({
      idempotencyKey: null,
      occurredAt: new Date("2026-11-20T09:00:00Z"),
      actor: null,
      category: "service",
      action: "deploy",
      description: null,
      target: null,
      result: "done",
      level: "information",
      service: null,
      ip: null,
      userAgent: null,
      requestId: null,
      correlationId: null,
      params: null,
      before: null,
      after: null,
      error: null,
    });
  });

  it("trims text, stores blank text as null, lower-cases the actor's email and drops unknown keys", () => {
    const event = auditEventSchema.parse({
      ...minimal,
      occurredAt: "2026-11-20T11:00:00.250+02:00",
      idempotencyKey: "  key-1 ",
      action: "  deploy  ",
      description: "   ",
      actor: { id: " u_1 ", name: "", email: "  Ada@Example.ORG ", role: "ignored" },
      target: { type: "service", id: null },
      error: { code: " timeout ", message: "" },
      ip: " 2001:db8::7 ",
      level: "notice",
      params: { env: "production" },
      unknown: "ignored",
    });
    expect(event).toMatchObject({
      idempotencyKey: "key-1",
      occurredAt: new Date("2026-11-20T09:00:00.250Z"),
      action: "deploy",
      description: null,
      actor: { id: "u_1", name: null, email: "ada@example.org" },
      target: { type: "service", id: null, name: null },
      error: { code: "timeout", message: null },
      ip: "2001:db8::7",
      level: "notice",
      params: { env: "production" },
    });
    expect(event.actor).toEqual({ id: "u_1", name: null, email: "ada@example.org" });
    expect(event).not.toHaveProperty("unknown");
  });

  it("names each bad field once, with its own message", () => {
    expect(
      issuesOf({
        ...minimal,
        occurredAt: "yesterday",
        category: "nope",
        action: "   ",
        ip: "999.1.1.1",
        requestId: "r".repeat(201),
        params: { big: "x".repeat(64 * 1024) },
        level: null,
      }),
    ).toEqual([
      "action: Too small: expected string to have >=1 characters",
      'category: Invalid option: expected one of "device"|"infra"|"service"|"auth"|"backup"|"database"|"user"|"organization"|"audit"|"vpn"|"secret"|"domain"|"monitoring"|"system"|"webhook"|"db_backup"',
      "ip: must be an IPv4 or IPv6 address",
      'level: Invalid option: expected one of "notice"|"information"',
      "occurredAt: Invalid ISO datetime",
      "params: must be at most 64 KiB of JSON",
      "requestId: Too big: expected string to have <=200 characters",
    ]);
  });

  it("measures a text's length after trimming it", () => {
    expect(issuesOf({ ...minimal, requestId: `  ${"r".repeat(200)}  ` })).toEqual([]);
  });

  it("refuses times beyond the allowed clock skew and before 2000, but not a time within the skew", () => {
    const ahead = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(issuesOf({ ...minimal, occurredAt: ahead(MAX_FUTURE_SKEW_MS + 60_000) })).toEqual([
      "occurredAt: must not be in the future",
    ]);
    expect(issuesOf({ ...minimal, occurredAt: ahead(MAX_FUTURE_SKEW_MS - 60_000) })).toEqual([]);
    expect(issuesOf({ ...minimal, occurredAt: "1999-12-31T23:59:59Z" })).toEqual([
      "occurredAt: must be after 2000-01-01",
    ]);
  });
});

describe("parseAuditBatch", () => {
  it("reads one event or a batch, with paths that name the event", () => {
    const single = parseAuditBatch(minimal);
    expect(single.success && single.data.events.map((e) => e.action)).toEqual(["deploy"]);
    const batch = parseAuditBatch({ events: [minimal, { ...minimal, result: "maybe" }] });
    expect(batch.success).toBe(false);
    expect(batch.error?.issues.map((issue) => issue.path.join("."))).toEqual(["events.1.result"]);
  });
});
