import "server-only";

import { isTimeZone, type ExplorerParams } from "@/lib/audit-log/search-params";
import type { ExportFormat } from "@/db/schema/enums";
import { env } from "@/lib/env";
import { XLSX_MAX_DATA_ROWS } from "./xlsx-writer";

/*
 * The parts of an export that do not touch the database: the limits and their messages, and the
 * file name. The search itself is read by the query core (parseWholeSearch).
 */

export const DEFAULT_EXPORT_MAX_ROWS = 5_000_000;
export const MAX_SEARCH_STRING_LENGTH = 16_384;

/** EXPORT_MAX_ROWS (validated by lib/env.ts), or 5,000,000 when a given setting is not a positive whole number. */
export function exportMaxRows(settings: { EXPORT_MAX_ROWS?: string | number } = env): number {
  const raw = settings.EXPORT_MAX_ROWS;
  const n = typeof raw === "number" ? raw : raw ? Number(raw.replace(/[_,]/g, "")) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_EXPORT_MAX_ROWS;
}

const formatNumber = (n: number) => n.toLocaleString("en-US");

/** Per format: why it cannot be exported, with what to do instead; null when it can. */
export type ExportLimitCheck = Record<ExportFormat, string | null>;

export function limitMessages(count: number, maxRows: number): ExportLimitCheck {
  if (count > maxRows) {
    const message = `This search has more than ${formatNumber(maxRows)} records, the most one export can hold. Export in smaller time intervals: set a custom period (for example one month at a time) and export each part.`;
    return { xlsx: message, csv: message, ndjson: message };
  }
  if (count > XLSX_MAX_DATA_ROWS) {
    return {
      xlsx: `This search has ${formatNumber(count)} records, more than an xlsx sheet holds (${formatNumber(XLSX_MAX_DATA_ROWS)}). Choose CSV or NDJSON, or narrow the search (a shorter period, or a type or result filter).`,
      csv: null,
      ndjson: null,
    };
  }
  return { xlsx: null, csv: null, ndjson: null };
}

/** The viewer's zone when the runtime knows it, else UTC. */
export function exportTimeZone(value: unknown): string {
  return typeof value === "string" && value.length <= 64 && isTimeZone(value) ? value : "UTC";
}

function dayIn(ms: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(ms),
  );
}

const asciiSafe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "org";

/**
 * audit-logs-acme-2026-11-01_2026-11-22.xlsx: the organization and the days the period covers,
 * in the viewer's zone (the end is the day of the last instant included, or the snapshot's day
 * for an open period). Safe ASCII by construction.
 */
export function exportFileName(input: {
  orgSlug: string;
  params: Pick<ExplorerParams, "range" | "scope">;
  snapshotAt: Date;
  timeZone: string;
  format: ExportFormat;
}): string {
  const { range, scope } = input.params;
  const end = range.to === null ? input.snapshotAt.getTime() : Date.parse(range.to) - 1;
  const to = dayIn(Math.min(end, input.snapshotAt.getTime()), input.timeZone);
  const days = range.from === null ? `until-${to}` : `${dayIn(Date.parse(range.from), input.timeZone)}_${to}`;
  const prefix = scope === "archive" ? "audit-logs-archive" : "audit-logs";
  return `${prefix}-${asciiSafe(input.orgSlug)}-${days}.${input.format}`;
}

/** RFC 6266: an ASCII `filename` for old clients and the RFC 5987 `filename*` form. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
