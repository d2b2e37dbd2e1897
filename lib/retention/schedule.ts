import "server-only";

import { getDatabaseHandle } from "@/db/client";
import { env } from "@/lib/env";
import { runRetention, type RetentionRunReport } from "./run-retention";

export { parseRetentionSchedule } from "./schedule-interval";

/*
 * In-process schedule for deployments without cron: RETENTION_SCHEDULE=hourly (or daily, or an
 * interval such as 30m or 6h) runs the retention job inside the server process. Off by default:
 * the alternative is cron calling `npm run retention`, e.g. `17 * * * * cd /app && npm run retention`.
 * Both may be on at once; the run lock lets only one of them work at a time.
 */

export interface RetentionSchedule {
  intervalMs: number;
  stop: () => void;
}

const FIRST_RUN_DELAY_MS = 60_000;

function summarize(report: RetentionRunReport): string {
  if (report.status === "skipped") return `skipped: ${report.reason}`;
  const totals = report.orgs.reduce(
    (sum, o) => ({
      deleted: sum.deleted + o.totals.deleted,
      archived: sum.archived + o.totals.archived,
      archivePurged: sum.archivePurged + o.totals.archivePurged,
    }),
    { deleted: 0, archived: 0, archivePurged: 0 },
  );
  return `${report.orgs.length} organizations, ${totals.deleted} deleted, ${totals.archived} archived, ${totals.archivePurged} purged from the archive, ${report.partitionsDropped.length} partitions dropped, in ${Math.round(report.ms)} ms`;
}

const globalForSchedule = globalThis as unknown as { auditRetentionSchedule?: RetentionSchedule };

/**
 * Starts the schedule named by RETENTION_SCHEDULE (once per process, whatever the module reloads);
 * returns null when it is off. Call from the server's start-up (db/bootstrap.ts).
 */
export function startRetentionSchedule(intervalMs: number | null = env.RETENTION_SCHEDULE): RetentionSchedule | null {
  if (intervalMs === null) return null;
  if (globalForSchedule.auditRetentionSchedule) return globalForSchedule.auditRetentionSchedule;

  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const report = await runRetention(getDatabaseHandle());
      console.log(`[audit-console] retention run: ${summarize(report)}`);
    } catch (error) {
      console.error("[audit-console] retention run failed; the next run continues where it stopped.", error);
    } finally {
      running = false;
    }
  };
  // The first run waits a little so that start-up and the first requests go first.
  const first = setTimeout(() => void tick(), Math.min(FIRST_RUN_DELAY_MS, intervalMs));
  const timer = setInterval(() => void tick(), intervalMs);
  first.unref();
  timer.unref();
  const schedule: RetentionSchedule = {
    intervalMs,
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
      globalForSchedule.auditRetentionSchedule = undefined;
    },
  };
  globalForSchedule.auditRetentionSchedule = schedule;
  console.log(`[audit-console] retention schedule on: every ${Math.round(intervalMs / 60_000)} min`);
  return schedule;
}
