import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backoffDelayMs } from "@/lib/notifications/backoff";
import { streamBody, streamHeaders, testEntry } from "@/lib/streams/stream-body";
import { STREAM_BACKOFF } from "@/lib/streams/stream-sender";

const a = { json: '{"id":"a","action":"login"}', occurredAtMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678) };
const b = { json: '{"id":"b","action":"logout"}', occurredAtMs: Date.UTC(2026, 0, 2, 3, 4, 6) };

describe("stream bodies", () => {
  it("writes NDJSON as one entry per line, each line ending in a newline, signed like a webhook", () => {
    const body = streamBody("ndjson", [a, b]);
    expect(body).toBe(`${a.json}\n${b.json}\n`);
    const headers = streamHeaders("ndjson", "s3cret", "d-1", body);
    expect(headers).toMatchObject({ "Content-Type": "application/x-ndjson", "X-Audit-Delivery": "d-1" });
    expect(headers["X-Audit-Signature"]).toBe(`sha256=${createHmac("sha256", "s3cret").update(body).digest("hex")}`);
    expect(headers.Authorization).toBeUndefined();
  });

  it("signs NDJSON with the new secret, and with the old one beside it during a rotation's grace", () => {
    const body = streamBody("ndjson", [a]);
    const mac = (secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const headers = streamHeaders("ndjson", ["new-secret", "old-secret"], "d-3", body);
    expect(headers["X-Audit-Signature"]).toBe(mac("new-secret"));
    expect(headers["X-Audit-Signature-Previous"]).toBe(mac("old-secret"));
    const after = streamHeaders("ndjson", ["new-secret"], "d-3", body);
    expect(after["X-Audit-Signature"]).toBe(mac("new-secret"));
    expect(after["X-Audit-Signature-Previous"]).toBeUndefined();
  });

  it("writes Splunk HEC events with the entry's time in epoch seconds and the token header, no signature", () => {
    const body = streamBody("splunk_hec", [a, b]);
    const events = body.split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toEqual([
      { time: 1767323045.678, source: "audit-console", sourcetype: "audit-console:entry", event: JSON.parse(a.json) },
      { time: 1767323046, source: "audit-console", sourcetype: "audit-console:entry", event: JSON.parse(b.json) },
    ]);
    const headers = streamHeaders("splunk_hec", "hec-token", "d-2", body);
    expect(headers).toMatchObject({ Authorization: "Splunk hec-token", "Content-Type": "application/json" });
    expect(headers["X-Audit-Signature"]).toBeUndefined();
  });

  it("marks a test line as a test, as JSON whatever the stream's name holds", () => {
    const line = testEntry("acme", 'SIEM "prod"\n', new Date("2026-01-01T00:00:00Z"));
    expect(JSON.parse(line.json)).toMatchObject({ test: true, organization: "acme", stream: 'SIEM "prod"\n' });
    expect(streamBody("ndjson", [line]).split("\n")).toHaveLength(2);
  });

  it("backs off exponentially with jitter, capped at five minutes", () => {
    const low = (n: number) => backoffDelayMs(n, STREAM_BACKOFF, () => 0);
    const high = (n: number) => backoffDelayMs(n, STREAM_BACKOFF, () => 0.999999);
    expect([1, 2, 3, 4].map(low)).toEqual([2_500, 5_000, 10_000, 20_000]);
    expect(high(1)).toBeLessThanOrEqual(5_000);
    expect(low(20)).toBe(150_000);
    expect(high(20)).toBeLessThanOrEqual(300_000);
  });
});
