/*
 * The retry pause of the outbox's sender and of stream destinations: exponential in the attempt,
 * capped, with "equal jitter" (half the pause fixed, a random half added), so receivers that come
 * back are not hit by every sender at the same instant. Pure.
 */

export interface Backoff {
  baseMs: number;
  factor: number;
  maxMs: number;
}

/** The pause after failed attempt `attempt` (1-based), with jitter from `random` in [0, 1). */
export function backoffDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * backoff.factor ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
