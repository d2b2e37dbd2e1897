import "server-only";

import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "@/db/client";
import { auditCategory, type AuditCategory } from "@/db/schema/enums";
import { ensurePartitions } from "@/db/migrate";
import { NO_REQUEST } from "@/lib/audit/console-entry";
import { recordConsoleEntry } from "@/lib/audit/record-audit-event";
import { removeExpiredBlocks, type RemovedBlocks } from "@/lib/integrity/expired-blocks";
import { getSigningKey } from "@/lib/integrity/signing-key";
import { recordRetentionApplied } from "./applied";
import { deleteBatch, moveBatch, nextEdge, type BatchEdge, type BatchResult, type BatchScope } from "./batches";
import { loadAllOrgRetention, type OrgRetentionWithOrg } from "./load-policy";
import {
  detachPartition,
  dropDetached,
  listDetachedLeftovers,
  listPartitions,
  orgsWithRows,
  type AuditParent,
} from "./partitions";
import { cutoffFor, retentionBounds, type RetentionBounds } from "./policy";
import { tryAcquireRunLock } from "./run-lock";

/*
 * The retention run applies every organization's policy:
 *
 *   1. archive-enabled organizations: expired rows move to the archive, batch by batch;
 *   2. live partitions whose whole month is expired for every organization and category are
 *      detached and dropped (their rows of archive-enabled organizations were moved in step 1);
 *   3. the other organizations: expired rows still in live partitions are deleted, batch by batch;
 *   4. the archive: partitions past every organization's archive period are dropped, then archived
 *      rows past their organization's archive period are deleted, batch by batch;
 *   5. the sealed blocks at the start of each organization's chain whose entries are all gone
 *      are removed (lib/integrity/expired-blocks.ts), once the run's cutoffs are recorded;
 *   6. one audit entry per organization, actor [nobody], with the counts per category.
 *
 * An entry is archived, or deleted, once it is older than its category's retention. Archived
 * entries are deleted once they have spent the archive period in the archive: when older than
 * retention + archive period, measured on occurred_at so that the same indexes and partitions
 * serve the purge.
 *
 * Idempotent and crash-safe: each batch is one atomic statement and selects by the policy, not by
 * progress kept anywhere, so a run killed at any point and run again continues where it stopped;
 * a partition detached but not yet dropped is finished by the next run (listDetachedLeftovers).
 */

export interface CategoryCounts {
  /** Removed from the live log without a copy (archive off). */
  deleted: number;
  /** Moved from the live log to the archive. */
  archived: number;
  /** Deleted from the archive at the end of the archive period. */
  archivePurged: number;
}

export interface OrgRunReport {
  orgId: string;
  slug: string;
  name: string;
  archiveEnabled: boolean;
  counts: Record<AuditCategory, CategoryCounts>;
  totals: CategoryCounts;
  /** Sealed blocks removed from the start of the chain, all of whose entries are gone (completed runs). */
  sealedBlocks?: RemovedBlocks;
}

export type RetentionPhase = "archive" | "delete" | "archive-purge" | "partition-archive";

export interface BatchInfo {
  phase: RetentionPhase;
  orgId: string;
  category: AuditCategory | null;
  rows: number;
  /** Batches committed so far in this run, this one included. */
  batch: number;
}

export interface RunRetentionOptions {
  /** The instant cutoffs are computed from. Default: now. */
  now?: Date;
  /** Rows per batch. Default 5,000. */
  batchSize?: number;
  /** Called after every committed batch; throwing stops the run (the batch stays committed). */
  onBatch?: (info: BatchInfo) => void | Promise<void>;
  signal?: AbortSignal;
  /** Pause between batches, to leave the database to interactive queries. Default 0. */
  pauseMs?: number;
  /** How long a DETACH may wait for its lock before trying again later. Default 2,000 ms. */
  lockTimeoutMs?: number;
  bounds?: RetentionBounds;
  /** Write the per-organization audit entries. Default true. */
  audit?: boolean;
}

export interface RetentionRunReport {
  status: "done" | "skipped";
  /** Why the run did nothing (another run holds the lock). */
  reason?: string;
  startedAt: Date;
  ms: number;
  orgs: OrgRunReport[];
  batches: number;
  partitionsDropped: string[];
  /** Expired partitions whose lock could not be had; their rows went row by row. */
  partitionsKept: string[];
  /** Rows of organizations that no longer exist, dropped with expired partitions. */
  unownedRowsDropped: number;
}

const ZERO: CategoryCounts = { deleted: 0, archived: 0, archivePurged: 0 };

function emptyCounts(): Record<AuditCategory, CategoryCounts> {
  return Object.fromEntries(auditCategory.enumValues.map((c) => [c, { ...ZERO }])) as Record<
    AuditCategory,
    CategoryCounts
  >;
}

function sumCounts(counts: Record<AuditCategory, CategoryCounts>): CategoryCounts {
  const total = { ...ZERO };
  for (const c of Object.values(counts)) {
    total.deleted += c.deleted;
    total.archived += c.archived;
    total.archivePurged += c.archivePurged;
  }
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MONTHS_BACK = 14;
const ANALYZE_AFTER_ROWS = 10_000;

class RetentionRun {
  readonly counts = new Map<string, Record<AuditCategory, CategoryCounts>>();
  batches = 0;
  unownedRowsDropped = 0;
  readonly partitionsDropped: string[] = [];
  readonly partitionsKept: string[] = [];
  private readonly batchSize: number;

  constructor(
    private readonly handle: DatabaseHandle,
    private readonly orgs: OrgRetentionWithOrg[],
    private readonly now: Date,
    private readonly options: RunRetentionOptions,
  ) {
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 5000));
    for (const org of orgs) this.counts.set(org.orgId, emptyCounts());
  }

  private get db() {
    return this.handle.db;
  }

  private liveCutoff(org: OrgRetentionWithOrg, category: AuditCategory): Date {
    return cutoffFor(this.now, org.categories[category].days);
  }

  private archiveCutoff(org: OrgRetentionWithOrg, category: AuditCategory): Date {
    return cutoffFor(this.now, org.categories[category].days + org.archive.days);
  }

  /** The oldest cutoff over every organization and category: older partitions hold nothing kept. */
  private globalCutoff(cutoff: (org: OrgRetentionWithOrg, category: AuditCategory) => Date): number | null {
    let min: number | null = null;
    for (const org of this.orgs) {
      for (const category of auditCategory.enumValues) {
        const t = cutoff(org, category).getTime();
        if (min === null || t < min) min = t;
      }
    }
    return min;
  }

  private add(orgId: string, category: AuditCategory, field: keyof CategoryCounts, rows: number): void {
    const counts = this.counts.get(orgId);
    if (!counts) {
      this.unownedRowsDropped += rows;
      return;
    }
    counts[category][field] += rows;
  }

  private addBatch(orgId: string, field: keyof CategoryCounts, result: BatchResult): void {
    for (const [category, rows] of Object.entries(result.byCategory))
      this.add(orgId, category as AuditCategory, field, rows ?? 0);
  }

  /** Runs batches over one scope until it is empty. */
  private async drain(
    scope: BatchScope,
    phase: RetentionPhase,
    field: keyof CategoryCounts,
    op: typeof deleteBatch,
  ): Promise<void> {
    let after: BatchEdge | null = null;
    for (;;) {
      this.options.signal?.throwIfAborted();
      const edge = await nextEdge(this.db, scope, this.batchSize, after);
      const result = await op(this.db, scope, edge, after);
      if (result.rows > 0) {
        this.batches++;
        this.addBatch(scope.orgId, field, result);
        await this.options.onBatch?.({
          phase,
          orgId: scope.orgId,
          category: scope.category ?? null,
          rows: result.rows,
          batch: this.batches,
        });
        if (this.options.pauseMs) await sleep(this.options.pauseMs);
      }
      if (!edge) return;
      after = edge;
    }
  }

  private archiveOrgIds(): string[] {
    return this.orgs.filter((o) => o.archive.enabled).map((o) => o.orgId);
  }

  /** Moves what archive-enabled organizations have in a detached live partition, then drops it. */
  private async finishDetached(parent: AuditParent, table: string): Promise<void> {
    if (parent === "audit_logs") {
      for (const orgId of await orgsWithRows(this.db, table, this.archiveOrgIds())) {
        await this.drain({ table, orgId }, "partition-archive", "archived", moveBatch);
      }
    }
    const dropped = await dropDetached(this.db, table);
    for (const d of dropped)
      this.add(d.orgId, d.category, parent === "audit_logs" ? "deleted" : "archivePurged", d.rows);
    this.partitionsDropped.push(table);
  }

  private async dropExpiredPartitions(parent: AuditParent, globalCutoff: number | null): Promise<void> {
    if (globalCutoff === null) return;
    for (const partition of await listPartitions(this.db, parent)) {
      if (partition.to > globalCutoff) continue;
      this.options.signal?.throwIfAborted();
      const detached = await detachPartition(this.db, parent, partition, {
        lockTimeoutMs: this.options.lockTimeoutMs ?? 2000,
        attempts: 5,
      });
      if (detached) await this.finishDetached(parent, detached);
      else this.partitionsKept.push(partition.name);
    }
  }

  /**
   * Archived rows keep their occurred_at, so they belong in months older than the live table's
   * start-up window. Without a partition for their month they would pile up in the archive's
   * default partition, which nothing prunes: the archive gets a partition for every month the live
   * table has one for, from the oldest month not yet past the archive period.
   */
  private async ensureArchivePartitions(archiveCutoff: number | null): Promise<void> {
    const live = await listPartitions(this.db, "audit_logs");
    if (live.length === 0) return;
    const first = Math.max(live[0]!.from, archiveCutoff ?? live[0]!.from);
    await this.db.execute(
      sql`select audit_ensure_partitions('audit_logs_archive', ${new Date(first).toISOString().slice(0, 10)}::date, (now() + interval '3 months')::date)`,
    );
  }

  async run(): Promise<void> {
    for (const leftover of await listDetachedLeftovers(this.db))
      await this.finishDetached(leftover.parent, leftover.table);

    const liveCutoff = this.globalCutoff((o, c) => this.liveCutoff(o, c));
    const archiveCutoff = this.globalCutoff((o, c) => this.archiveCutoff(o, c));
    // Future months must exist; months about to be dropped must not be created again.
    await ensurePartitions(this.handle, monthsBackFor(this.now, liveCutoff), 3);
    if (this.orgs.some((o) => o.archive.enabled)) await this.ensureArchivePartitions(archiveCutoff);

    for (const org of this.orgs.filter((o) => o.archive.enabled)) {
      for (const category of auditCategory.enumValues) {
        const scope = { table: "audit_logs", orgId: org.orgId, category, before: this.liveCutoff(org, category) };
        await this.drain(scope, "archive", "archived", moveBatch);
      }
    }
    await this.dropExpiredPartitions("audit_logs", liveCutoff);
    for (const org of this.orgs.filter((o) => !o.archive.enabled)) {
      for (const category of auditCategory.enumValues) {
        const scope = { table: "audit_logs", orgId: org.orgId, category, before: this.liveCutoff(org, category) };
        await this.drain(scope, "delete", "deleted", deleteBatch);
      }
    }

    await this.dropExpiredPartitions("audit_logs_archive", archiveCutoff);
    // Also for organizations that turned the archive off: what they archived still expires.
    for (const org of this.orgs) {
      for (const category of auditCategory.enumValues) {
        const scope = {
          table: "audit_logs_archive",
          orgId: org.orgId,
          category,
          before: this.archiveCutoff(org, category),
        };
        await this.drain(scope, "archive-purge", "archivePurged", deleteBatch);
      }
    }
    await this.refreshStatistics();
  }

  /**
   * Autovacuum analyzes the partitions but never a partitioned parent, whose statistics the
   * planner uses for queries across months: after many rows arrive in an empty archive, the
   * explorer's archive queries were planned on an empty parent and ran far slower until it was
   * analyzed (docs/performance-history.md). ANALYZE only takes a lock that leaves reads and writes
   * alone.
   */
  private async refreshStatistics(): Promise<void> {
    let live = 0;
    let archive = 0;
    for (const counts of this.counts.values()) {
      const t = sumCounts(counts);
      live += t.deleted + t.archived;
      archive += t.archived + t.archivePurged;
    }
    const dropped = (prefix: string) => this.partitionsDropped.some((p) => p.startsWith(prefix));
    if (live >= ANALYZE_AFTER_ROWS || dropped("audit_logs_expired_")) await this.db.execute(sql`analyze audit_logs`);
    if (archive >= ANALYZE_AFTER_ROWS || dropped("audit_logs_archive_expired_"))
      await this.db.execute(sql`analyze audit_logs_archive`);
  }

  reports(): OrgRunReport[] {
    return this.orgs.map((org) => {
      const counts = this.counts.get(org.orgId)!;
      return {
        orgId: org.orgId,
        slug: org.slug,
        name: org.name,
        archiveEnabled: org.archive.enabled,
        counts,
        totals: sumCounts(counts),
      };
    });
  }
}

/** Whole months from `now` back to the month holding the cutoff, at most the start-up's 14. */
function monthsBackFor(now: Date, cutoff: number | null): number {
  if (cutoff === null) return MONTHS_BACK;
  const c = new Date(cutoff);
  const months = (now.getUTCFullYear() - c.getUTCFullYear()) * 12 + (now.getUTCMonth() - c.getUTCMonth());
  return Math.max(0, Math.min(MONTHS_BACK, months));
}

function describeTotals(t: CategoryCounts): string {
  const n = (v: number) => v.toLocaleString("en-US");
  return `${n(t.deleted)} deleted, ${n(t.archived)} archived, ${n(t.archivePurged)} deleted from the archive`;
}

async function writeAuditEntries(
  handle: DatabaseHandle,
  orgs: OrgRetentionWithOrg[],
  reports: OrgRunReport[],
  outcome: { ms: number; error?: unknown },
): Promise<void> {
  for (const report of reports) {
    const org = orgs.find((o) => o.orgId === report.orgId)!;
    const removed = report.totals.deleted + report.totals.archived + report.totals.archivePurged;
    const counts = Object.fromEntries(Object.entries(report.counts));
    const failed = outcome.error !== undefined;
    await recordConsoleEntry(handle.db, report.orgId, null, NO_REQUEST, {
      category: "audit",
      action: "retention_run",
      description: `${failed ? "Retention run stopped" : "Retention run"}: ${describeTotals(report.totals)}`,
      target: { type: "retention_policy", id: report.orgId, name: report.name },
      result: failed ? "failed" : "done",
      level: removed > 0 || failed ? "notice" : "information",
      service: "Retention",
      params: {
        counts,
        totals: report.totals,
        retentionDays: Object.fromEntries(Object.entries(org.categories).map(([c, v]) => [c, v.days])),
        archive: { enabled: org.archive.enabled, days: org.archive.days },
        durationMs: Math.round(outcome.ms),
        ...(report.sealedBlocks?.removed
          ? {
              integrity: {
                sealedBlocksRemoved: report.sealedBlocks.removed,
                firstKeptBlock: report.sealedBlocks.firstKept,
              },
            }
          : {}),
      },
      error: failed
        ? {
            code: "retention_run_failed",
            message: String(outcome.error instanceof Error ? outcome.error.message : outcome.error).slice(0, 2000),
          }
        : null,
    });
  }
}

/**
 * Removes the leading sealed blocks that nothing is left of, with the cutoffs just recorded. A
 * failure here leaves the blocks for the next run (they only cost space) and does not fail the run.
 */
async function removeSealedBlocks(handle: DatabaseHandle, reports: OrgRunReport[]): Promise<void> {
  try {
    const key = getSigningKey();
    for (const report of reports) report.sealedBlocks = await removeExpiredBlocks(handle.db, report.orgId, key);
  } catch (error) {
    console.error("[audit-console] removing expired sealed blocks failed; the next retention run tries again", error);
  }
}

/**
 * Applies every organization's retention policy. Returns `status: "skipped"` when another run
 * holds the lock. Throws when a step fails (after writing "failed" audit entries with the counts
 * so far); running again finishes the work.
 */
export async function runRetention(
  handle: DatabaseHandle,
  options: RunRetentionOptions = {},
): Promise<RetentionRunReport> {
  const startedAt = new Date();
  const started = performance.now();
  const lock = await tryAcquireRunLock(handle);
  const base = { startedAt, batches: 0, partitionsDropped: [], partitionsKept: [], unownedRowsDropped: 0 };
  if (!lock) return { ...base, status: "skipped", reason: "another retention run is in progress", ms: 0, orgs: [] };
  try {
    const bounds = options.bounds ?? retentionBounds();
    const orgs = await loadAllOrgRetention(handle.db, bounds);
    const run = new RetentionRun(handle, orgs, options.now ?? startedAt, options);
    try {
      await run.run();
    } catch (error) {
      if (options.audit !== false) {
        await writeAuditEntries(handle, orgs, run.reports(), { ms: performance.now() - started, error }).catch(() => {
          // The database may be what failed; the original error is the one to report.
        });
      }
      throw error;
    }
    const reports = run.reports();
    // Only a completed run: a stopped one may have left expired entries behind.
    await recordRetentionApplied(handle.db, orgs, reports, options.now ?? startedAt);
    await removeSealedBlocks(handle, reports);
    const ms = performance.now() - started;
    if (options.audit !== false) await writeAuditEntries(handle, orgs, reports, { ms });
    return {
      status: "done",
      startedAt,
      ms,
      orgs: reports,
      batches: run.batches,
      partitionsDropped: run.partitionsDropped,
      partitionsKept: run.partitionsKept,
      unownedRowsDropped: run.unownedRowsDropped,
    };
  } finally {
    await lock.release();
  }
}
