import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpClient } from "./http-client";
import { benchEvent, BATCH_SIZE } from "./ingestion";
import { summarize, type Summary } from "./measure";
import { explorerPath, type Scenario } from "./scenarios";

/*
 * What the notification and streaming phases share: ingestion through the API paced at a target
 * rate with the explorer browsed meanwhile, a receiver on 127.0.0.1 that notes when each entry
 * arrives, the wait for what was ingested to arrive, and the per-entry lag from the ingestion
 * API's 201 to the arrival.
 */

export interface PacedIngestion {
  targetPerSecond: number;
  eventsPerSecond: number;
  events: number;
  seconds: number;
  errors: number;
  firstError: string | null;
  batch: Summary;
  explorer: Summary;
  /** The scenarios of the explorer's requests at or above its p95, with how many of them each. */
  explorerTail: string;
}

/** Ingestion at a target rate (batches of 500, up to `senders` in flight), with the explorer browsed meanwhile. */
export async function pacedIngestion(opts: {
  baseUrl: string;
  apiKey: string;
  perSecond: number;
  seconds: number;
  senders: number;
  explorer: HttpClient;
  slug: string;
  scenarios: Scenario[];
  onStored?: (ids: string[], notice: boolean[], at: number) => void;
}): Promise<PacedIngestion> {
  const runId = `n${Date.now().toString(36)}`;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const intervalMs = (BATCH_SIZE / opts.perSecond) * 1000;
  let next = 0;
  let events = 0;
  let errors = 0;
  let firstError: string | null = null;
  const batchTimes: number[] = [];

  const sender = async () => {
    const client = new HttpClient(opts.baseUrl);
    try {
      for (;;) {
        const due = started + next * intervalMs;
        if (due >= deadline) return;
        next++;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const now = Date.now();
        const batch = Array.from({ length: BATCH_SIZE }, () => benchEvent(runId, now));
        const t = performance.now();
        try {
          const res = await client.request("/api/v1/audit-events", {
            method: "POST",
            headers: { authorization: `Bearer ${opts.apiKey}`, "content-type": "application/json" },
            body: JSON.stringify({ events: batch }),
          });
          const at = Date.now();
          batchTimes.push(performance.now() - t);
          if (res.status !== 201) {
            errors++;
            firstError ??= `${res.status} ${res.body?.toString("utf8").slice(0, 300)}`;
            continue;
          }
          events += BATCH_SIZE;
          const body = JSON.parse(res.body!.toString("utf8")) as { entries: { id: string }[] };
          opts.onStored?.(
            body.entries.map((e) => e.id),
            batch.map((e) => e.level === "notice"),
            at,
          );
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    } finally {
      client.close();
    }
  };

  const browse = async () => {
    const full: { key: string; ms: number }[] = [];
    let i = 0;
    while (performance.now() < deadline) {
      const scenario = opts.scenarios[i++ % opts.scenarios.length]!;
      try {
        const r = await opts.explorer.request(explorerPath(opts.slug, scenario.params));
        if (r.status === 200) full.push({ key: scenario.key, ms: r.totalMs });
      } catch {
        // A failed page shows as fewer runs.
      }
    }
    const summary = summarize(full.map((f) => f.ms));
    return { summary, tail: tailText(full, summary.p95) };
  };

  const [{ summary: explorer, tail: explorerTail }] = await Promise.all([
    browse(),
    ...Array.from({ length: opts.senders }, sender),
  ]);
  const seconds = (performance.now() - started) / 1000;
  return {
    targetPerSecond: opts.perSecond,
    eventsPerSecond: Math.round(events / seconds),
    events,
    seconds,
    errors,
    firstError,
    batch: summarize(batchTimes),
    explorer,
    explorerTail,
  };
}

// Which pages make the p95: "deep-link 2, common-word 1".
function tailText(requests: readonly { key: string; ms: number }[], p95: number): string {
  const counts = new Map<string, number>();
  for (const r of requests) if (r.ms >= p95) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  return [...counts].map(([key, n]) => `${key} ${n}`).join(", ");
}

/** A receiver on 127.0.0.1 that answers 204 and hands each request's body to `onBody`. */
export interface BenchReceiver {
  url: string;
  close: () => Promise<void>;
}

export async function startBenchReceiver(
  path: string,
  onBody: (body: string, headers: IncomingHttpHeaders, at: number) => void,
): Promise<BenchReceiver> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      onBody(Buffer.concat(chunks).toString("utf8"), req.headers, Date.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits (up to a bound) until every ingested entry has arrived. */
export async function waitForArrivals(
  ingested: ReadonlyMap<string, number>,
  arrived: (id: string) => boolean,
  boundMs = 60_000,
): Promise<void> {
  const until = Date.now() + boundMs;
  while (Date.now() < until && [...ingested.keys()].some((id) => !arrived(id))) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Per entry, arrival minus the ingestion API's answer; entries that never arrived are counted apart. */
export function arrivalLags(
  ingested: ReadonlyMap<string, number>,
  arrivedAt: (id: string) => number | undefined,
): { lag: Summary; missing: number } {
  const lags: number[] = [];
  let missing = 0;
  for (const [id, at] of ingested) {
    const arrival = arrivedAt(id);
    if (arrival === undefined) missing++;
    else lags.push(arrival - at);
  }
  return { lag: summarize(lags), missing };
}
