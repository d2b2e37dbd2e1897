"use client";

import { useSyncExternalStore } from "react";

const subscribeNever = () => () => {};

/** False while the server renders and during hydration, true after: local time needs the browser. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribeNever,
    () => true,
    () => false,
  );
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `YYYY-MM-DD HH:MM:SS` in the viewer's zone: sortable, fixed width, no locale surprises. */
export function formatLocalDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function formatUtcDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

export function viewerTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/**
 * A time in the viewer's zone, with the exact UTC instant on hover. The server cannot know the
 * zone, so it renders UTC (marked as such) and the browser localizes after hydration: no mismatch.
 */
export function LocalTime({ iso, className }: { iso: string; className?: string }) {
  const hydrated = useHydrated();
  return (
    <time dateTime={iso} title={`${iso} (UTC)`} className={className}>
      {hydrated ? formatLocalDateTime(iso) : `${formatUtcDateTime(iso)} UTC`}
    </time>
  );
}

/** The viewer's zone name, for headers and the details view ("Europe/Paris"). */
export function TimeZoneName() {
  const hydrated = useHydrated();
  return <>{hydrated ? viewerTimeZone() : "UTC"}</>;
}

/**
 * The instant in UTC under a local time, only where the viewer's zone is not UTC already (then the
 * local time says the same). Before hydration LocalTime itself shows UTC, so nothing is added.
 */
export function UtcTimeIfElsewhere({ iso, className }: { iso: string; className?: string }) {
  const hydrated = useHydrated();
  if (!hydrated || viewerTimeZone() === "UTC") return null;
  return <span className={className}>{formatUtcDateTime(iso)} UTC</span>;
}
