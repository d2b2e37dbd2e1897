import { and, eq } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { consumerCursors, streamDestinations } from "@/db/schema";
import { sealSecret } from "@/lib/security/secret-box";
import { startStreamCursor, streamCursorName } from "@/lib/streams/stream-sender";
import type { HttpClient } from "./http-client";
import type { Summary } from "./measure";
import { arrivalLags, pacedIngestion, startBenchReceiver, waitForArrivals, type PacedIngestion } from "./pacing";
import { int, ms, type TableRow } from "./report";
import type { Scenario } from "./scenarios";

/*
 * Streaming under ingestion (issue 20): one NDJSON destination of the largest organization with
 * no search (every entry), batches of 1,000 or 1 s, posting to a receiver on 127.0.0.1, while the
 * ingestion API is paced at the target rate (2,000 events/s by default) with the explorer browsed
 * meanwhile, as in the notification phase. Lag is per entry, from the ingestion API's 201 for its
 * batch to the arrival of the stream batch holding it. The console runs the worker in its own
 * process, as it does by default.
 */

export interface StreamBenchResult {
  ingestion: PacedIngestion;
  lag: Summary;
  entries: number;
  batches: number;
  /** Ingested entries that did not arrive within the drain time. */
  missing: number;
  /** Entries that arrived twice under different delivery ids (at least once allows them only within one id). */
  duplicates: number;
}

export const STREAM_GOALS = { lagP95: 10_000, eventsPerSecond: 2000 } as const;

interface Receiver {
  url: string;
  arrivals: Map<string, { at: number; delivery: string }>;
  batches: number;
  duplicates: number;
  close: () => Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, { at: number; delivery: string }>();
  let batches = 0;
  let duplicates = 0;
  const server = await startBenchReceiver("/bench-stream", (body, headers, at) => {
    const delivery = String(headers["x-audit-delivery"] ?? "");
    batches++;
    for (const line of body.split("\n")) {
      if (line === "") continue;
      const { id } = JSON.parse(line) as { id: string };
      const known = arrivals.get(id);
      if (!known) arrivals.set(id, { at, delivery });
      else if (known.delivery !== delivery) duplicates++;
    }
  });
  return {
    url: server.url,
    arrivals,
    get batches() {
      return batches;
    },
    get duplicates() {
      return duplicates;
    },
    close: server.close,
  };
}

export async function runStreamBench(opts: {
  handle: DatabaseHandle;
  orgId: string;
  baseUrl: string;
  apiKey: string;
  perSecond: number;
  seconds: number;
  explorer: HttpClient;
  slug: string;
  scenarios: Scenario[];
  log: (line: string) => void;
}): Promise<StreamBenchResult> {
  const receiver = await startReceiver();
  const db = opts.handle.db;
  const [destination] = await db
    .insert(streamDestinations)
    .values({
      orgId: opts.orgId,
      name: "bench stream",
      format: "ndjson",
      url: receiver.url,
      secretCiphertext: sealSecret("bench-stream-secret"),
      batchSize: 1000,
      maxWaitSeconds: 1,
    })
    .returning({ id: streamDestinations.id });
  const id = destination!.id;
  await startStreamCursor(db, opts.orgId, id);
  try {
    const ingested = new Map<string, number>();
    const ingestion = await pacedIngestion({
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey,
      perSecond: opts.perSecond,
      seconds: opts.seconds,
      senders: 8,
      explorer: opts.explorer,
      slug: opts.slug,
      scenarios: opts.scenarios,
      onStored: (ids, _notice, at) => ids.forEach((e) => ingested.set(e, at)),
    });
    opts.log(
      `  ${int(ingestion.eventsPerSecond)} events/s of ${int(opts.perSecond)} targeted, batch p95 ${Math.round(ingestion.batch.p95)} ms${ingestion.errors ? `, ${ingestion.errors} errors (${ingestion.firstError})` : ""}`,
    );
    await waitForArrivals(ingested, (e) => receiver.arrivals.has(e));
    const { lag, missing } = arrivalLags(ingested, (e) => receiver.arrivals.get(e)?.at);
    return {
      ingestion,
      lag,
      entries: ingested.size,
      batches: receiver.batches,
      missing,
      duplicates: receiver.duplicates,
    };
  } finally {
    await db
      .delete(streamDestinations)
      .where(and(eq(streamDestinations.orgId, opts.orgId), eq(streamDestinations.id, id)));
    await db
      .delete(consumerCursors)
      .where(and(eq(consumerCursors.orgId, opts.orgId), eq(consumerCursors.consumer, streamCursorName(id))));
    await receiver.close();
  }
}

export function streamRows(r: StreamBenchResult): TableRow[] {
  return [
    {
      scenario: `streaming: one NDJSON destination (batches of 1,000 or 1 s), ingestion at ${int(r.ingestion.targetPerSecond)}/s, lag (ingestion 201 → receiver)`,
      fullMedian: r.lag.median,
      fullP95: r.lag.p95,
      dbLimit: `${int(r.ingestion.eventsPerSecond)} events/s, ${int(r.batches)} batches`,
      goal: `p95 ≤ ${STREAM_GOALS.lagP95 / 1000} s at ${int(STREAM_GOALS.eventsPerSecond)}/s, none missing`,
      met:
        r.lag.p95 <= STREAM_GOALS.lagP95 &&
        r.missing === 0 &&
        r.duplicates === 0 &&
        r.ingestion.errors === 0 &&
        r.ingestion.eventsPerSecond >= STREAM_GOALS.eventsPerSecond * 0.95,
      verdict: `p95 ${ms(r.lag.p95)}, ${r.missing} missing, ${r.duplicates} twice across batches`,
    },
  ];
}
