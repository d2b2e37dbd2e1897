import { sql } from "drizzle-orm";
import { queryRows, type DatabaseHandle } from "@/db/client";
import { BACKGROUND_APPLICATION_NAME, EXPORT_APPLICATION_NAME } from "@/lib/audit-log/horizon";
import { summarize, type Summary } from "./measure";

/*
 * Where a notification's latency goes, sampled twice a second while the phase runs: how far the
 * committed horizon (lib/audit-log/horizon.ts, the same transactions left out) trails the clock, how far the matcher's cursor of
 * the organization trails it, and how old the oldest undelivered message is. The horizon trails by
 * the age of the oldest open transaction, so each sample also notes which statement that was: a
 * latency that the matcher's own speed does not explain shows up as the statement to blame.
 */

export interface PipelineSamples {
  horizonLag: Summary;
  cursorLag: Summary;
  outboxAge: Summary;
  /** The oldest open transaction's statement (first 60 characters) when it held the horizon back by more than a second, with how often. */
  holders: { statement: string; samples: number }[];
}

type Sample = {
  horizon_lag_ms: number | string | null;
  cursor_lag_ms: number | string | null;
  outbox_age_ms: number | string | null;
  holder: string | null;
};

const SAMPLE_MS = 500;

export interface PipelineSampler {
  /** Samples are kept only while active (the phases with rules on and their drain). */
  setActive(active: boolean): void;
  stop(): Promise<PipelineSamples>;
}

export function startPipelineSampler(handle: DatabaseHandle, orgId: string): PipelineSampler {
  const samples: Sample[] = [];
  let running = true;
  let active = false;
  const loop = (async () => {
    while (running) {
      const [row] = await queryRows<Sample>(
        handle.db,
        sql`with oldest as (
              select xact_start, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) as statement
              from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null
                and application_name not in (${EXPORT_APPLICATION_NAME}, ${BACKGROUND_APPLICATION_NAME})
              order by xact_start limit 1
            )
            select
              extract(epoch from clock_timestamp() - coalesce((select xact_start from oldest), clock_timestamp())) * 1000 as horizon_lag_ms,
              (select extract(epoch from clock_timestamp() - received_at) * 1000 from consumer_cursors
                where org_id = ${orgId} and consumer = 'notifications') as cursor_lag_ms,
              (select extract(epoch from clock_timestamp() - min(created_at)) * 1000 from notification_deliveries
                where org_id = ${orgId} and status in ('pending', 'sending')) as outbox_age_ms,
              (select statement from oldest where xact_start < clock_timestamp() - interval '1 second') as holder`,
      );
      if (row && active) samples.push(row);
      await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    }
  })();
  return {
    setActive(value) {
      active = value;
    },
    // Safe to call twice (the phase's end, then its cleanup).
    async stop() {
      running = false;
      await loop;
      const values = (pick: (s: Sample) => number | string | null) =>
        samples
          .map(pick)
          .filter((v): v is number | string => v !== null)
          .map(Number);
      const counts = new Map<string, number>();
      for (const s of samples) if (s.holder) counts.set(s.holder, (counts.get(s.holder) ?? 0) + 1);
      return {
        horizonLag: summarize(values((s) => s.horizon_lag_ms)),
        cursorLag: summarize(values((s) => s.cursor_lag_ms)),
        outboxAge: summarize(values((s) => s.outbox_age_ms)),
        holders: [...counts]
          .map(([statement, n]) => ({ statement, samples: n }))
          .sort((a, b) => b.samples - a.samples)
          .slice(0, 5),
      };
    },
  };
}
