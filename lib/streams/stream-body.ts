import "server-only";

import type { StreamFormat } from "@/db/schema/enums";
import { DELIVERY_HEADER, signatureHeaders } from "@/lib/notifications/webhook-send";

/*
 * What a destination receives. NDJSON: one entry per line (the read API's and the NDJSON export's
 * shape), signed with the destination's secret in X-Audit-Signature exactly as a webhook's body
 * is (with the old secret too during a rotation's grace period). Splunk HEC: the collector's batch form, event objects one after another, each with the
 * entry's time (epoch seconds) and the entry as `event`, authorised by `Authorization: Splunk
 * <token>`. Both carry X-Audit-Delivery, the batch's id, the same on every retry of the batch.
 */

export interface StreamEntryText {
  /** The entry's JSON text (lib/exports/entry-json.ts). */
  json: string;
  /** occurred_at in milliseconds since the epoch. */
  occurredAtMs: number;
}

export const HEC_SOURCE = "audit-console";
export const HEC_SOURCETYPE = "audit-console:entry";
export const NDJSON_TYPE = "application/x-ndjson";

function hecEvent(entry: StreamEntryText): string {
  const time = (entry.occurredAtMs / 1000).toFixed(3);
  return `{"time":${time},"source":"${HEC_SOURCE}","sourcetype":"${HEC_SOURCETYPE}","event":${entry.json}}`;
}

export function streamBody(format: StreamFormat, entries: readonly StreamEntryText[]): string {
  if (format === "splunk_hec") return entries.map(hecEvent).join("\n");
  return entries.map((e) => `${e.json}\n`).join("");
}

export function streamHeaders(
  format: StreamFormat,
  /** NDJSON: the signing secrets, current first; Splunk HEC: the token alone. */
  secrets: string | readonly string[],
  deliveryId: string,
  body: string,
): Record<string, string> {
  const common = { "User-Agent": "AuditConsole-Stream/1", [DELIVERY_HEADER]: deliveryId };
  if (format === "splunk_hec") {
    return {
      ...common,
      "Content-Type": "application/json",
      Authorization: `Splunk ${typeof secrets === "string" ? secrets : secrets[0]}`,
    };
  }
  return {
    ...common,
    "Content-Type": NDJSON_TYPE,
    ...signatureHeaders(secrets, body),
  };
}

/** The one line of a "Send test": marked as a test, in the shape of an entry's line. */
export function testEntry(orgSlug: string, streamName: string, now: Date): StreamEntryText {
  const json = JSON.stringify({
    test: true,
    organization: orgSlug,
    stream: streamName,
    occurredAt: now.toISOString(),
    category: "audit",
    action: "test_stream",
    description: `Test message of stream "${streamName}"`,
    result: "done",
    level: "information",
  });
  return { json, occurredAtMs: now.getTime() };
}
