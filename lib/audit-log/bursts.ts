/*
 * Bursts of failed sign-ins: 5 or more failures of one group (an address, an account) within 10
 * minutes. Overlapping windows join into one burst, so a long attack is one burst from its first
 * failure to its last. Pure, so it can be tested on its own.
 */

export const BURST_MIN_FAILURES = 5;
export const BURST_WINDOW_MS = 10 * 60_000;

export interface Burst {
  /** First and last failure of the burst (inclusive). */
  fromMs: number;
  toMs: number;
  count: number;
}

/** `times` in ascending order. */
export function findBursts(
  times: readonly number[],
  { minFailures = BURST_MIN_FAILURES, windowMs = BURST_WINDOW_MS } = {},
): Burst[] {
  const bursts: { start: number; end: number }[] = [];
  let j = 0;
  for (let i = 0; i < times.length; i++) {
    if (j < i) j = i;
    while (j + 1 < times.length && times[j + 1]! - times[i]! <= windowMs) j++;
    if (j - i + 1 < minFailures) continue;
    const last = bursts[bursts.length - 1];
    if (last && i <= last.end) last.end = Math.max(last.end, j);
    else bursts.push({ start: i, end: j });
  }
  return bursts.map(({ start, end }) => ({ fromMs: times[start]!, toMs: times[end]!, count: end - start + 1 }));
}
