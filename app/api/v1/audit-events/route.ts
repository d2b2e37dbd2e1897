import { NextResponse } from "next/server";
import type { z } from "zod";
import { getDb } from "@/db/client";
import { isConnectionLost } from "@/db/connection-errors";
import { requireApiKeyScope } from "@/lib/api-keys/api-key-gate";
import { appOrigin, entryPermalink } from "@/lib/app-url";
import { MAX_BATCH, parseAuditBatch } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { env } from "@/lib/env";
import { BodyTooLargeError, readLimitedBody } from "./read-limited-body";
import { readEvents } from "./read-events";

// 1,000 events of a few KiB each fit comfortably; anything larger is refused before parsing.
const MAX_BODY_BYTES = env.INGEST_MAX_BODY_BYTES;

function error(status: number, message: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) {
  return NextResponse.json({ error: message, ...extra }, { status, headers });
}

function fieldErrors(issues: z.core.$ZodIssue[]) {
  return issues.slice(0, 100).map((issue) => ({ field: issue.path.join(".") || "(body)", message: issue.message }));
}

function eventCount(body: unknown): number {
  if (body && typeof body === "object" && "events" in body && Array.isArray(body.events)) return body.events.length;
  return 1;
}

/*
 * The database connection died and running the batch again did not help (the database is down or
 * restarting). 503, not 500: the client should send the same batch again, and its idempotency
 * keys make that safe.
 */
function databaseUnavailable(reading = false) {
  return error(
    503,
    reading
      ? "The database is not reachable right now. Send the same request again in a few seconds."
      : "The database is not reachable right now. Send the same batch again in a few seconds; events with an idempotencyKey are stored once.",
    {},
    { "Retry-After": "5" },
  );
}

// Reads the database on every request: never cached, never pre-rendered.
export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  try {
    return await readEvents(request);
  } catch (e) {
    if (isConnectionLost(e)) return databaseUnavailable(true);
    throw e;
  }
}

export async function POST(request: Request) {
  try {
    return await ingest(request);
  } catch (e) {
    if (isConnectionLost(e)) return databaseUnavailable();
    throw e;
  }
}

async function ingest(request: Request) {
  const db = getDb();
  const gate = await requireApiKeyScope(db, request, "write");
  if ("refusal" in gate) return gate.refusal;
  const { principal } = gate;
  let raw: string;
  try {
    raw = await readLimitedBody(request, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError)
      return error(413, `The body is larger than ${MAX_BODY_BYTES} bytes. Send fewer events per request.`);
    throw e;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return error(400, "The body is not valid JSON.", { fields: [{ field: "(body)", message: "invalid JSON" }] });
  }
  if (eventCount(body) > MAX_BATCH) return error(413, `At most ${MAX_BATCH} events per request.`);
  const parsed = parseAuditBatch(body);
  if (!parsed.success) {
    return error(400, "Some fields are invalid; nothing was stored.", { fields: fieldErrors(parsed.error.issues) });
  }
  const stored = await storeAuditEvents(db, principal.orgId, parsed.data.events);
  const origin = appOrigin(request);
  return NextResponse.json(
    {
      entries: stored.map((entry) => ({
        id: entry.id,
        url: entryPermalink(origin, principal.orgSlug, entry.id),
        duplicate: !entry.created,
      })),
    },
    { status: 201 },
  );
}
