import "server-only";

import { env } from "@/lib/env";

/*
 * The read API's rate limit: a token bucket per API key, in this server process. A bucket holds
 * up to READ_API_BURST requests and refills at READ_API_RATE_LIMIT per minute; a request that
 * finds it empty gets 429 with Retry-After (whole seconds until a token is back). In process
 * rather than in the database: a request costs no write, and a console runs as one process
 * (several processes behind a balancer would each allow the rate). An NDJSON stream of a whole
 * search is one request. Buckets of keys not seen for a while are dropped, so memory stays
 * bounded by the keys in use.
 */

interface Bucket {
  tokens: number;
  at: number;
}

const buckets = ((globalThis as { auditReadBuckets?: Map<string, Bucket> }).auditReadBuckets ??= new Map());
let lastSweep = 0;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

function sweep(now: number, fullAfterMs: number): void {
  if (now - lastSweep < 60_000) return;
  lastSweep = now;
  for (const [key, bucket] of buckets) if (now - bucket.at > fullAfterMs) buckets.delete(key);
}

/** Takes one request from the key's bucket. `now` in milliseconds, for tests. */
export function takeReadToken(keyId: string, now: number = Date.now()): RateDecision {
  const burst = env.READ_API_BURST;
  const perMs = env.READ_API_RATE_LIMIT / 60_000;
  // A bucket idle this long is full again, the same as no bucket.
  sweep(now, burst / perMs);
  const bucket = buckets.get(keyId) ?? { tokens: burst, at: now };
  bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs);
  bucket.at = now;
  buckets.set(keyId, bucket);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return { allowed: true };
  }
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
}
