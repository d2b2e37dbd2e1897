import { HttpClient } from "./http-client";
import { summarize, type Summary } from "./measure";

/*
 * Ingestion through the public API as fast as it goes: batches of 500 events from a few
 * concurrent senders (the platform's services), for a fixed time, and nothing else asked of the
 * console, as COPY is measured beside it (bench/ingestion-ratio.ts). Every event carries an
 * idempotency key, as a careful client's would, so the key table is part of the cost. The bodies
 * are made before the clock starts, as COPY's text is: on two cores the bench's own JSON would
 * otherwise take CPU from the console it measures.
 */

export const INGEST_USER_AGENT = "audit-bench-ingest/1.0";
export const INGEST_KEY_PREFIX = "bench-ingest-";
export const BATCH_SIZE = 500;

export interface IngestionResult {
  batches: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  senders: number;
  /** Per batch request, ms. */
  batch: Summary;
  errors: number;
  firstError: string | null;
  /** The console's CPU time per batch of 500, ms. */
  serverCpuMsPerBatch: number | null;
  /** The senders used every batch made in advance before the time was up. */
  ranOut: boolean;
  /** Stored during the warm-up, not counted in `events`. */
  warmUpEvents: number;
}

const ACTIONS = [
  ["service", "deploy", "deploy service {t} to production", "service", "Deployments"],
  ["auth", "login", "sign in with password", "user", "Sign-in"],
  ["auth", "token_refresh", "refresh access token for kiops-cli", "user", "Sign-in"],
  ["backup", "create_backup", "create incremental backup of volume {t}", "volume", "Backups"],
  ["database", "run_sync", "run incremental sync of {t}", "database_connection", "Data sync"],
  ["webhook", "deliver_event", "deliver event to {t}", "webhook", "Webhooks"],
] as const;
const TARGETS = ["checkout", "payments", "search-api", "inventory", "orders-db", "uploads", "slack-alerts"];

let sequence = 0;

/** One event of the platform's services, as the ingestion phases send them. */
export function benchEvent(runId: string, now: number) {
  const n = sequence++;
  const [category, action, description, targetType, service] = ACTIONS[n % ACTIONS.length]!;
  const target = TARGETS[(n * 7) % TARGETS.length]!;
  const failed = n % 23 === 0;
  const person = n % 97;
  return {
    idempotencyKey: `${INGEST_KEY_PREFIX}${runId}-${n}`,
    occurredAt: new Date(now - (n % 5000)).toISOString(),
    actor: { id: `u_${9000 + person}`, name: `Ingest User ${person}`, email: `ingest.user${person}@bench.test` },
    category,
    action,
    description: description.replace("{t}", target),
    target: { type: targetType, id: `${targetType}_${target}`, name: target },
    result: failed ? "failed" : "done",
    level: failed ? "notice" : "information",
    service,
    ip: `198.51.100.${1 + (n % 250)}`,
    userAgent: INGEST_USER_AGENT,
    requestId: `req_bench_${runId}_${n}`,
    correlationId: n % 10 === 0 ? `op_bench_${runId}_${Math.floor(n / 10)}` : undefined,
    params: { env: "production", attempt: 1 + (n % 3) },
    error: failed ? { code: "timeout", message: "Rollout did not complete within 10 minutes" } : undefined,
  };
}

/** JSON bodies of `count` batches, made before a phase so that its clock measures the console. */
function premadeBodies(runId: string, count: number): string[] {
  return Array.from({ length: count }, () => {
    const now = Date.now();
    return JSON.stringify({ events: Array.from({ length: BATCH_SIZE }, () => benchEvent(runId, now)) });
  });
}

export async function runIngestion(opts: {
  baseUrl: string;
  apiKey: string;
  seconds: number;
  senders: number;
  /** More than the console can take on this machine: the bodies made in advance. */
  maxPerSecond: number;
  serverCpuMs?: () => number;
  /**
   * Sent before the measured `seconds`, at the same pace, and not counted: a background job beside
   * the ingestion (sealing) is in its rhythm when the window opens.
   */
  warmUpSeconds?: number;
}): Promise<IngestionResult> {
  const warmUpMs = (opts.warmUpSeconds ?? 0) * 1000;
  const bodies = premadeBodies(
    Date.now().toString(36),
    Math.ceil((opts.maxPerSecond * (opts.seconds + warmUpMs / 1000)) / BATCH_SIZE),
  );
  let next = 0;
  const batchTimes: number[] = [];
  let events = 0;
  let warmUpEvents = 0;
  let errors = 0;
  let firstError: string | null = null;
  const windowOpens = performance.now() + warmUpMs;
  const deadline = windowOpens + opts.seconds * 1000;
  let cpuBefore = opts.serverCpuMs?.();
  const openWindow =
    warmUpMs > 0
      ? setTimeout(() => {
          cpuBefore = opts.serverCpuMs?.();
        }, warmUpMs)
      : undefined;

  const sender = async () => {
    const client = new HttpClient(opts.baseUrl);
    try {
      while (performance.now() < deadline && next < bodies.length) {
        const body = bodies[next++]!;
        const t = performance.now();
        try {
          const res = await client.request("/api/v1/audit-events", {
            method: "POST",
            headers: { authorization: `Bearer ${opts.apiKey}`, "content-type": "application/json" },
            body,
          });
          // A batch counts for the window when it finished inside it.
          const counted = performance.now() >= windowOpens;
          if (counted) batchTimes.push(performance.now() - t);
          if (res.status === 201) {
            if (counted) events += BATCH_SIZE;
            else warmUpEvents += BATCH_SIZE;
          } else {
            errors++;
            firstError ??= `${res.status} ${res.body?.toString("utf8").slice(0, 300)}`;
          }
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      }
    } finally {
      client.close();
    }
  };

  await Promise.all(Array.from({ length: opts.senders }, sender));
  clearTimeout(openWindow);
  const seconds = (performance.now() - windowOpens) / 1000;
  const cpuAfter = opts.serverCpuMs?.();
  return {
    serverCpuMsPerBatch:
      cpuBefore === undefined || cpuAfter === undefined || batchTimes.length === 0
        ? null
        : Math.round((cpuAfter - cpuBefore) / batchTimes.length),
    batches: batchTimes.length,
    events,
    seconds,
    eventsPerSecond: Math.round(events / seconds),
    senders: opts.senders,
    batch: summarize(batchTimes),
    errors,
    firstError,
    ranOut: next >= bodies.length,
    warmUpEvents,
  };
}
