"use client";

import { createContext, useContext, type ReactNode } from "react";
import { wallClock } from "@/lib/audit-log/dates";

/*
 * One clock for the whole console: the reader's time zone (lib/preferences/reader-time-zone), or
 * the zone a link names with `tz=`. The server knows it before rendering, so times are rendered
 * once, in that zone, on the server and again identically in the browser: no UTC first, no flash.
 */
const TimeZoneContext = createContext<string>("UTC");

export function TimeZoneProvider({ zone, children }: { zone: string; children: ReactNode }) {
  return <TimeZoneContext value={zone}>{children}</TimeZoneContext>;
}

/** The zone the surrounding page shows its times in. */
export function useTimeZone(): string {
  return useContext(TimeZoneContext);
}

/**
 * `YYYY-MM-DD HH:MM:SS` in the zone: sortable, fixed width, no locale surprises. The zone's offset
 * at that instant comes from @date-fns/tz; the wall time is the instant moved by it, read off
 * the ISO form. date-fns' format() of a TZDate gave the same text (a test compares them across
 * zones and daylight-saving changes) at six times the cost, and a page formats about a hundred
 * times (docs/performance.md).
 */
export function formatDateTimeIn(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const wall = wallClock(ms, zone).toISOString();
  return `${wall.slice(0, 10)} ${wall.slice(11, 19)}`;
}

export function formatUtcDateTime(iso: string): string {
  return formatDateTimeIn(iso, "UTC");
}

/** A time in the page's zone, with the exact UTC instant on hover. */
export function LocalTime({ iso, className }: { iso: string; className?: string }) {
  const zone = useTimeZone();
  return (
    <time dateTime={iso} title={`${formatUtcDateTime(iso)} UTC`} className={className}>
      {formatDateTimeIn(iso, zone)}
    </time>
  );
}

/** The page's zone name, for headers and the details view ("Europe/Paris"). */
export function TimeZoneName() {
  return <>{useTimeZone()}</>;
}

/** The instant in UTC under a time, only where the page's zone is not UTC already. */
export function UtcTimeIfElsewhere({ iso, className }: { iso: string; className?: string }) {
  const zone = useTimeZone();
  if (zone === "UTC" || zone === "Etc/UTC") return null;
  return <span className={className}>{formatUtcDateTime(iso)} UTC</span>;
}
