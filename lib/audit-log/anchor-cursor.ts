import { decodeCursor, encodeCursor } from "./cursor";

/*
 * A deep link shows a window around the entry that no cursor in the URL describes. Selecting
 * another row of that window must not move it, so the page hands the client a cursor that reopens
 * exactly this window: "rows after an edge just before the first row". The edge is the first row's
 * position with its id nudged by one (uuids compare as 16 big-endian bytes), which no real row
 * can sit between. Pure, so it can be unit tested.
 */

function nudgeUuid(id: string, delta: 1 | -1): string | null {
  const hex = id.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  const value = BigInt(`0x${hex}`) + BigInt(delta);
  const max = (BigInt(1) << BigInt(128)) - BigInt(1);
  if (value < BigInt(0) || value > max) return null;
  const out = value.toString(16).padStart(32, "0");
  return `${out.slice(0, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}-${out.slice(16, 20)}-${out.slice(20)}`;
}

/**
 * From a page's `prevCursor` (the edge of its first row, reading backwards), the cursor that lists
 * the same page forwards. Null when there is nothing before the page (the first page needs none).
 */
export function anchorCursorFromPrev(prevCursor: string | null): string | null {
  if (prevCursor === null) return null;
  const payload = decodeCursor(prevCursor);
  if (!payload) return null;
  // Descending lists read "next" as smaller positions, so the edge sits just above the first row.
  const id = nudgeUuid(payload.i, payload.o === "desc" ? 1 : -1);
  if (id === null) return null;
  // The anchor's edge sits just before the first row: one place before it.
  const p = payload.p !== undefined && payload.p > 1 ? payload.p - 1 : undefined;
  return encodeCursor({ ...payload, i: id, d: "next", p });
}
