import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { consumerCursors, streamDestinations } from "@/db/schema";
import { sealSecret } from "@/lib/security/secret-box";
import { startStreamCursor, streamCursorName } from "@/lib/streams/stream-sender";
import type { HttpClient } from "./http-client";
import { summarize, type Summary } from "./measure";
import { pacedIngestion, type PacedIngestion } from "./notifications";
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
  const receiver: Receiver = { url: "", arrivals: new Map(), batches: 0, duplicates: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = Date.now();
      const delivery = String(req.headers["x-audit-delivery"] ?? "");
      receiver.batches++;
      for (const line of Buffer.concat(chunks).toString("utf8").split("\n")) {
        if (line === "") continue;
        const { id } = JSON.parse(line) as { id: string };
        const known = receiver.arrivals.get(id);
        if (!known) receiver.arrivals.set(id, { at, delivery });
        else if (known.delivery !== delivery) receiver.duplicates++;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench-stream`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
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
    const until = Date.now() + 60_000;
    while (Date.now() < until && [...ingested.keys()].some((e) => !receiver.arrivals.has(e))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const lags: number[] = [];
    let missing = 0;
    for (const [entry, at] of ingested) {
      const arrived = receiver.arrivals.get(entry);
      if (arrived === undefined) missing++;
      else lags.push(arrived.at - at);
    }
    return {
      ingestion,
      lag: summarize(lags),
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
