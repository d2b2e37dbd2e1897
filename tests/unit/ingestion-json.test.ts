import { describe, expect, it } from "vitest";
import { auditEventSchema } from "@/lib/audit/event-schema";
import { ingestionJson } from "@/lib/audit-log/ingestion-json";
import type { AuditEntryDetails } from "@/lib/audit-log/types";

const FULL: AuditEntryDetails = {
  id: "0b7d0c1e-8f0a-4c55-9a4e-2a7a3e9c1f00",
  occurredAt: "2026-11-20T09:15:00.000Z",
  receivedAt: "2026-11-20T09:15:01.000Z",
  actor: { id: "u_123", name: "Kim Lee", email: "kim@acme.test" },
  category: "service",
  action: "deploy",
  description: 'deploy <img src=x onerror="alert(1)"> to production',
  target: { type: "service", id: "svc_9", name: "checkout" },
  result: "failed",
  level: "notice",
  errorCode: "image_pull_failed",
  service: "Deployments",
  ip: "203.0.113.7",
  userAgent: "kiops-cli/2.3",
  requestId: "req_01H",
  correlationId: "op_77",
  params: { env: "production" },
  before: { version: "1.4.2" },
  after: { version: "1.5.0" },
  errorMessage: "image not found",
};

describe("the raw entry", () => {
  it("is an event the ingestion API accepts, and stores as the entry it came from", () => {
    const { text, omitted } = ingestionJson(FULL);
    expect(omitted).toEqual([]);
    const sent: unknown = JSON.parse(text);
    const read = auditEventSchema.safeParse(sent);
    expect(read.success).toBe(true);
    expect(read.data).toEqual({
      idempotencyKey: null,
      occurredAt: new Date(FULL.occurredAt),
      actor: FULL.actor,
      category: FULL.category,
      action: FULL.action,
      description: FULL.description,
      target: FULL.target,
      result: FULL.result,
      level: FULL.level,
      service: FULL.service,
      ip: FULL.ip,
      userAgent: FULL.userAgent,
      requestId: FULL.requestId,
      correlationId: FULL.correlationId,
      params: FULL.params,
      before: FULL.before,
      after: FULL.after,
      error: { code: FULL.errorCode, message: FULL.errorMessage },
    });
    // The console's own fields are not the client's.
    expect(sent).not.toHaveProperty("id");
    expect(sent).not.toHaveProperty("receivedAt");
    expect(sent).not.toHaveProperty("url");
  });

  it("leaves out what has no value, as a client would", () => {
    const { text } = ingestionJson({
      ...FULL,
      actor: null,
      target: { type: null, id: null, name: null },
      description: null,
      errorCode: null,
      errorMessage: null,
      service: null,
      ip: null,
      userAgent: null,
      requestId: null,
      correlationId: null,
      params: null,
      before: null,
      after: { v: 1 },
      result: "done",
    });
    expect(JSON.parse(text)).toEqual({
      occurredAt: FULL.occurredAt,
      category: "service",
      action: "deploy",
      result: "done",
      level: "notice",
      after: { v: 1 },
    });
    expect(auditEventSchema.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it("keeps an actor known by email only, without the parts it lacks", () => {
    const { text } = ingestionJson({ ...FULL, actor: { id: null, name: null, email: "kim@acme.test" } });
    expect((JSON.parse(text) as { actor: unknown }).actor).toEqual({ email: "kim@acme.test" });
  });

  it("puts back a large value that came whole, and names one that did not", () => {
    const large = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const { text, omitted } = ingestionJson({
      ...FULL,
      params: null,
      before: null,
      collapsed: {
        params: { outline: "{…}", raw: JSON.stringify(large), rawComplete: true, reason: "large" },
        before: { outline: "{…}", raw: '{"a":', rawComplete: false, reason: "large" },
      },
    });
    expect(omitted).toEqual(["before"]);
    const sent = JSON.parse(text) as Record<string, unknown>;
    expect(sent.params).toEqual(large);
    expect(sent).not.toHaveProperty("before");
  });
});
