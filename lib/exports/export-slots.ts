import "server-only";

import { env } from "@/lib/env";

/*
 * Each running export holds a database connection of its own for as long as the download lasts,
 * so their number is capped per server process (EXPORT_MAX_CONCURRENT, default 4). A download
 * over the cap is refused before its token is used, so trying again a little later works. The
 * read API's NDJSON streams take the same slots.
 */
const slots = ((globalThis as { auditExportSlots?: { active: number } }).auditExportSlots ??= { active: 0 });

function maxConcurrent(): number {
  return env.EXPORT_MAX_CONCURRENT;
}

/** A slot, or null when all are taken; free() may be called any number of times. */
export function takeExportSlot(): { free: () => void } | null {
  if (slots.active >= maxConcurrent()) return null;
  slots.active += 1;
  let freed = false;
  return {
    free() {
      if (freed) return;
      freed = true;
      slots.active -= 1;
    },
  };
}
