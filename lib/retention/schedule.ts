import "server-only";

import { getDatabaseHandle } from "@/db/client";
import { runRetention, type RetentionRunReport } from "./run-retention";

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

const MIN_INTERVAL_MS = 60_000;
const FIRST_RUN_DELAY_MS = 60_000;

/** The interval named by RETENTION_SCHEDULE, null when off. Throws on a value it cannot read. */
export function parseRetentionSchedule(value: string | undefined): number | null {
  const v = value?.trim().toLowerCase();
  if (!v || v === "off" || v === "false" || v === "0") return null;
  if (v === "hourly") return 3_600_000;
  if (v === "daily") return 86_400_000;
  const match = /^(\d+)\s*(m|h)$/.exec(v);
  if (match) {
    const ms = Number(match[1]) * (match[2] === "h" ? 3_600_000 : 60_000);
    if (ms >= MIN_INTERVAL_MS) return ms;
  }
  throw new Error(
    `RETENTION_SCHEDULE must be off, hourly, daily or an interval such as 30m or 6h (at least 1m), got "${value}".`,
  );
}

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
export function startRetentionSchedule(
  env: Record<string, string | undefined> = process.env,
): RetentionSchedule | null {
  const intervalMs = parseRetentionSchedule(env.RETENTION_SCHEDULE);
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
