import "server-only";

import { sql } from "drizzle-orm";
import { queryRows, type Database } from "./client";

/*
 * Whether the read replica may serve readers, measured every couple of seconds.
 *
 * Lag is measured by WAL position, not by the replay timestamp alone: each check reads the
 * primary's current position (pg_current_wal_lsn()) and then the replica's replayed position
 * (pg_last_wal_replay_lsn()). A replica that has replayed what the primary had is 0 ms behind,
 * however long ago the primary last wrote (now() - pg_last_xact_replay_timestamp() would call an
 * idle primary's replica hours behind). A replica short of it is behind since the first check
 * that saw the primary past the replica's position: the data it lacks was written after that
 * check's predecessor, so the figure is exact to one interval and never counts an idle primary.
 *
 * Hysteresis, so that a replica near the bound does not flip readers to and fro: it is left when
 * it lags more than the bound or does not answer, and taken back after two checks in a row that
 * found it answering and within half the bound. Each change of direction writes one line to the
 * server log (no stack trace): one when readers fall back to the primary, one when they return.
 */

export type ReplicaState = "ok" | "lagging" | "down";

export interface ReplicaStatus {
  /** "starting" until the first check has run; readers use the primary meanwhile. */
  state: ReplicaState | "starting";
  /** How far the replica was behind at the last check that reached it; null before any. */
  lagMs: number | null;
}

export interface ReplicaMonitorOptions {
  /** The primary: the console's handle, read at each check (tests swap it). */
  primary: () => Database;
  /** The replica itself, without any fallback. */
  replica: Database;
  maxLagMs: number;
  intervalMs?: number;
  /** A check that has no answer by then counts as the replica not answering. */
  timeoutMs?: number;
  log?: { fallBack: (line: string) => void; back: (line: string) => void };
}

export const REPLICA_CHECK_INTERVAL_MS = 2_000;
// Good checks in a row before readers go back to the replica.
const RECOVERY_CHECKS = 2;
// Primary positions kept: enough to date a lag far beyond any sensible bound.
const MAX_SAMPLES = 2_000;

/** A WAL position ("16/B374D848") as a number of bytes. */
export function parseLsn(text: string): bigint {
  const [high, low] = text.split("/");
  if (high === undefined || low === undefined || !/^[0-9A-F]+$/i.test(high) || !/^[0-9A-F]+$/i.test(low))
    throw new Error(`not a WAL position: ${text}`);
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

// The driver's own message (drizzle wraps it as the `cause` of "Failed query: …"), first line only.
function reasonOf(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  const message = current instanceof Error ? current.message : String(current);
  return message.split("\n")[0]!.slice(0, 200);
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${count(ms)} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class ReplicaMonitor {
  private status: ReplicaStatus = { state: "starting", lagMs: null };
  private samples: { lsn: bigint; at: number }[] = [];
  private goodChecks = 0;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | null = null;
  private firstCheck: Promise<void> | null = null;
  readonly maxLagMs: number;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly log: NonNullable<ReplicaMonitorOptions["log"]>;

  constructor(private readonly options: ReplicaMonitorOptions) {
    this.maxLagMs = options.maxLagMs;
    this.intervalMs = options.intervalMs ?? REPLICA_CHECK_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? Math.max(REPLICA_CHECK_INTERVAL_MS, this.intervalMs);
    this.log = options.log ?? { fallBack: (line) => console.warn(line), back: (line) => console.info(line) };
  }

  /** Starts checking: at once, then every interval. */
  start(): this {
    if (this.timer) return this;
    this.firstCheck = this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref?.();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  current(): ReplicaStatus {
    return { ...this.status };
  }

  /** Readers may use the replica. */
  usable(): boolean {
    return this.status.state === "ok";
  }

  /** The status once the first check has run (or `waitMs` passed). */
  async settled(waitMs: number = this.timeoutMs): Promise<ReplicaStatus> {
    if (this.status.state === "starting" && this.firstCheck) {
      await withTimeout(this.firstCheck, waitMs, "first replica check").catch(() => {});
    }
    return this.current();
  }

  /** A reader found the replica unreachable: readers leave it now rather than at the next check. */
  reportUnreachable(error: unknown): void {
    this.enter("down", `read replica unreachable (${reasonOf(error)})`);
  }

  /** One check; overlapping calls share it. */
  check(): Promise<void> {
    this.checking ??= this.measure().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async measure(): Promise<void> {
    let primaryLsn: bigint;
    try {
      const [row] = await withTimeout(
        queryRows<{ lsn: string }>(this.options.primary(), sql`select pg_current_wal_lsn()::text as lsn`),
        this.timeoutMs,
        "primary",
      );
      primaryLsn = parseLsn(row!.lsn);
    } catch {
      // The primary's own trouble, which the health check reports; the replica is judged later.
      return;
    }
    const at = Date.now();
    this.samples.push({ lsn: primaryLsn, at });
    if (this.samples.length > MAX_SAMPLES) this.samples.splice(0, this.samples.length - MAX_SAMPLES);

    let replayed: bigint;
    try {
      const [row] = await withTimeout(
        queryRows<{ recovery: boolean; lsn: string | null }>(
          this.options.replica,
          sql`select pg_is_in_recovery() as recovery, pg_last_wal_replay_lsn()::text as lsn`,
        ),
        this.timeoutMs,
        "replica",
      );
      if (!row?.recovery || !row.lsn) {
        this.enter("down", "DATABASE_READ_URL is not a streaming replica (not in recovery)");
        return;
      }
      replayed = parseLsn(row.lsn);
    } catch (error) {
      this.enter("down", `read replica unreachable (${reasonOf(error)})`);
      return;
    }
    this.samples = this.samples.filter((s, i) => s.lsn > replayed || i === this.samples.length - 1);
    // The oldest check that saw the primary past the replica's position; none: caught up.
    const behindSince = this.samples.find((s) => s.lsn > replayed)?.at;
    const lagMs = behindSince === undefined ? 0 : Date.now() - behindSince;
    this.status.lagMs = lagMs;
    this.judge(lagMs);
  }

  private judge(lagMs: number): void {
    const { state } = this.status;
    if (lagMs > this.maxLagMs) {
      this.enter(
        "lagging",
        `read replica ${count(lagMs)} ms behind the primary (bound ${count(this.maxLagMs)} ms, DATABASE_READ_MAX_LAG_MS)`,
      );
      return;
    }
    if (state === "starting") {
      this.status.state = "ok";
      return;
    }
    if (state === "ok") return;
    // Leaving the primary again needs a margin below the bound and checks in a row.
    if (lagMs > this.maxLagMs / 2) {
      this.goodChecks = 0;
      if (state === "down") this.status.state = "lagging";
      return;
    }
    this.goodChecks += 1;
    if (this.goodChecks < RECOVERY_CHECKS) return;
    this.status.state = "ok";
    this.log.back(`[audit-console] read replica back (${count(lagMs)} ms behind); reading from it again`);
  }

  private enter(state: "lagging" | "down", why: string): void {
    this.goodChecks = 0;
    const before = this.status.state;
    this.status.state = state;
    if (before === "ok" || before === "starting") {
      this.log.fallBack(
        `[audit-console] ${why}; reading from the primary until it ${state === "down" ? "answers" : "catches up"}`,
      );
    }
  }
}
