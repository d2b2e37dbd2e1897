import "server-only";

import { readFileSync } from "node:fs";
import type { DatabaseHandle } from "@/db/client";
import { BENCH_DATABASE } from "./bench-db";

/*
 * The seed bulk-loads each monthly partition through a staging table whose indexes are built
 * after the rows and swapped in (db/seed/audit-rows.ts). The benchmark checks independently that
 * the result is the production schema: every index of audit_logs and of each partition is read
 * before the load and compared after it (names and definitions, as pg_get_indexdef spells them),
 * and all must be valid. A difference fails the benchmark.
 *
 * Also here: the CPU seconds the database's backends spent, from /proc when the server runs on
 * this machine. On a shared machine the wall times depend on the neighbours; these do not.
 */

type PgHandle = DatabaseHandle & { kind: "postgres" };

/** Every index of audit_logs and its partitions, as PostgreSQL spells them. */
export async function indexDefinitions(handle: PgHandle): Promise<string[]> {
  const rows = await handle.sql<{ def: string }[]>`
    select pg_get_indexdef(i.indexrelid) as def
    from pg_class c
    left join pg_inherits h on h.inhrelid = c.oid
    join pg_index i on i.indrelid = c.oid
    where c.relname = 'audit_logs' or h.inhparent = 'audit_logs'::regclass
    order by 1`;
  return rows.map((r) => r.def);
}

async function invalidIndexes(handle: PgHandle): Promise<string[]> {
  const rows = await handle.sql<{ name: string }[]>`
    select c.relname as name
    from pg_index x join pg_class c on c.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    left join pg_inherits h on h.inhrelid = t.oid
    where (t.relname = 'audit_logs' or h.inhparent = 'audit_logs'::regclass) and not x.indisvalid`;
  return rows.map((r) => r.name);
}

export interface IndexCheck {
  definitions: number;
  identical: boolean;
}

export async function verifyIndexes(handle: PgHandle, expected: string[]): Promise<IndexCheck> {
  const actual = await indexDefinitions(handle);
  const invalid = await invalidIndexes(handle);
  const missing = expected.filter((d) => !actual.includes(d));
  const extra = actual.filter((d) => !expected.includes(d));
  if (missing.length || extra.length || invalid.length) {
    throw new Error(
      `after the load, the indexes of audit_logs differ from the migrated schema:\nmissing ${missing.join("\n")}\nextra ${extra.join("\n")}\ninvalid ${invalid.join(", ")}`,
    );
  }
  return { definitions: actual.length, identical: true };
}

const TICKS_PER_SECOND = 100;

export function processTicks(pid: number): number | null {
  try {
    // A pid from another namespace (a container) may name an unrelated process: check it is ours.
    const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (!cmd.includes("postgres") || !cmd.includes(BENCH_DATABASE)) return null;
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return null;
  }
}

/** CPU ticks of this database's backends, by pid; empty when they are not visible in /proc. */
export async function backendTicks(handle: PgHandle): Promise<Map<number, number>> {
  const rows = await handle.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database()`;
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const ticks = processTicks(pid);
    if (ticks !== null) out.set(pid, ticks);
  }
  return out;
}

/**
 * CPU seconds between two readings. Backends that ended in between (a pool's idle timeout) are
 * lost, so readings are taken while the pool's connections are alive.
 */
export function cpuSeconds(before: Map<number, number>, after: Map<number, number>): number | null {
  if (after.size === 0) return null;
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return Math.round((ticks / TICKS_PER_SECOND) * 10) / 10;
}
