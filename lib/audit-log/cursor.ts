import { z } from "zod";
import { safeText } from "@/lib/validation/safe-text";

/*
 * The explorer's keyset cursor: the position of the row at the edge of a page, as base64url JSON.
 * It is opaque to users and links, but not a secret: it only names a row's sort values, and every
 * query still runs inside the caller's organization and filters. Pure (no Node or server APIs),
 * so links can be built on either side.
 */

export type CursorDirection = "next" | "prev";

export interface CursorPayload {
  /** The sort the cursor was made for: a cursor from another sort means nothing. */
  s: string;
  /** The direction of that sort. */
  o: "asc" | "desc";
  /** Sort-key value of the edge row (as the database computed it); null for the time sort. */
  k: string | null;
  /** occurred_at of the edge row, ISO with milliseconds (the column's precision). */
  t: string;
  /** id of the edge row: the tiebreak. */
  i: string;
  /** next: rows after the edge row; prev: rows before it. */
  d: CursorDirection;
  /**
   * The edge row's place in the listing (1 for the first row) when the page that made the cursor
   * knew its own: carried from page to page, so a page can say "801–850" without counting the
   * rows before it. Entries that arrive meanwhile shift it; it is the place when the pages were read.
   */
  p?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Long enough for any sort value (emails, target names) a URL can still carry.
export const MAX_CURSOR_LENGTH = 8192;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

const payloadSchema = z.strictObject({
  s: z.string().min(1).max(16),
  o: z.enum(["asc", "desc"]),
  // Goes into a query as a bound value: text PostgreSQL refuses would be a 500, not "no cursor".
  k: safeText().max(4096).nullable(),
  // A string the regex accepts but Date rejects (month 13) or normalises (Feb 30) is refused.
  t: z
    .string()
    .regex(ISO_MS)
    .refine((t) => {
      const ms = Date.parse(t);
      return Number.isFinite(ms) && new Date(ms).toISOString() === t;
    }),
  i: z.string().regex(UUID),
  d: z.enum(["next", "prev"]),
  p: z.number().int().min(1).max(1_000_000_000).optional(),
});

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4);
  try {
    const binary = atob(padded);
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

export function encodeCursor(payload: CursorPayload): string {
  const { s, o, k, t, i, d, p } = payload;
  return toBase64Url(new TextEncoder().encode(JSON.stringify({ s, o, k, t, i, d, p })));
}

/** The payload, or null for anything that is not a cursor this module wrote. Never throws. */
export function decodeCursor(text: string): CursorPayload | null {
  if (typeof text !== "string" || text.length === 0 || text.length > MAX_CURSOR_LENGTH) return null;
  const bytes = fromBase64Url(text);
  if (!bytes) return null;
  try {
    const json: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    const parsed = payloadSchema.safeParse(json);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
