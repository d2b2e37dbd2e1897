const MIN_INTERVAL_MS = 60_000;

export const RETENTION_SCHEDULE_ACCEPTS = "off, hourly, daily or an interval such as 30m or 6h (at least 1m)";

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
  throw new Error(`RETENTION_SCHEDULE must be ${RETENTION_SCHEDULE_ACCEPTS}, got "${value}".`);
}
