import "server-only";

import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { copyIngestion, type CopyIngestion } from "./ingestion-copy";
import { runIngestion, type IngestionResult } from "./ingestion";
import type { RunningServer } from "./server";
import { settleDataset } from "./settle-dataset";

/*
 * Issue 22's ingestion goal is a ratio in one run: the API's rate over COPY's for the same events
 * into the same table. Both sides get the same conditions:
 *
 * - nothing else is asked of the console meanwhile (the explorer's p95 under ingestion is its own
 *   goal, at 2,000 events/s: bench/run.ts);
 * - before each phase, what the previous one left to the console's jobs (sealing, the hourly
 *   roll-up, the actor directory) is done by the bench, so neither side pays for the other's
 *   entries. Measured without it on 1M entries, 2026-12-07: COPY right after an API phase ran at
 *   9,205-13,443 events/s and alone at 15,187-15,706, which made the ratio swing from 86% to 121%;
 * - API and COPY alternate, pair after pair, so that a drift of the machine falls on both;
 * - each phase starts from a checkpoint (below).
 *
 * The ratio is the API's rate over all its phases to COPY's over all of its.
 */

export interface IngestionPair {
  api: IngestionResult;
  copy: CopyIngestion;
  share: number;
}

export interface IngestionRatio {
  pairs: IngestionPair[];
  apiPerSecond: number;
  copyPerSecond: number;
  share: number;
  errors: number;
  firstError: string | null;
}

export async function ingestionBesideCopy(opts: {
  server: RunningServer;
  handle: DatabaseHandle & { kind: "postgres" };
  orgId: string;
  apiKey: string;
  seconds: number;
  pairs: number;
  log: (line: string) => void;
}): Promise<IngestionRatio> {
  // Each phase writes gigabytes of WAL, past max_wal_size's trigger, so checkpoints fell at any
  // moment of a phase; a CHECKPOINT after settling starts every phase with the same full-page
  // writes ahead of it.
  const settle = async () => {
    await settleDataset(opts.handle, () => {});
    await opts.handle.db.execute(sql`checkpoint`);
  };
  const pairs: IngestionPair[] = [];
  for (let i = 0; i < opts.pairs; i++) {
    await settle();
    const api = await runIngestion({
      baseUrl: opts.server.url,
      apiKey: opts.apiKey,
      seconds: opts.seconds,
      senders: 4,
      maxPerSecond: 25_000,
      serverCpuMs: opts.server.cpuMs,
    });
    await settle();
    const copy = await copyIngestion(opts.handle, opts.orgId, Math.max(api.events, 10_000));
    const share = copy.eventsPerSecond === 0 ? 0 : api.eventsPerSecond / copy.eventsPerSecond;
    pairs.push({ api, copy, share });
    opts.log(
      `  pair ${i + 1}: API ${api.eventsPerSecond.toLocaleString("en-US")} events/s (console CPU ${api.serverCpuMsPerBatch ?? "?"} ms per batch${api.ranOut ? "; ran out of premade batches" : ""}), ` +
        `COPY ${copy.eventsPerSecond.toLocaleString("en-US")} events/s: ${Math.round(share * 100)}%`,
    );
  }
  await settle();
  const rate = (events: number, seconds: number) => (seconds === 0 ? 0 : Math.round(events / seconds));
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const apiPerSecond = rate(sum(pairs.map((p) => p.api.events)), sum(pairs.map((p) => p.api.seconds)));
  const copyPerSecond = rate(sum(pairs.map((p) => p.copy.events)), sum(pairs.map((p) => p.copy.seconds)));
  return {
    pairs,
    apiPerSecond,
    copyPerSecond,
    share: copyPerSecond === 0 ? 0 : apiPerSecond / copyPerSecond,
    errors: sum(pairs.map((p) => p.api.errors)),
    firstError: pairs.find((p) => p.api.firstError)?.api.firstError ?? null,
  };
}
