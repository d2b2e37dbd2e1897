import "server-only";

import postgres from "postgres";
import { createDatabase, type DatabaseHandle } from "@/db/client";

/*
 * The benchmark's own database: `audit_bench` on the server DATABASE_URL names. It is created
 * when missing and is the only database the benchmark writes to; the DATABASE_URL database is
 * only used to issue CREATE DATABASE.
 */

// BENCH_DATABASE names another one, so two benchmarks on one server do not rebuild each other's.
const named = process.env.BENCH_DATABASE ?? "audit_bench";
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(named)) throw new Error(`BENCH_DATABASE="${named}" is not a plain database name`);
export const BENCH_DATABASE = named;

export function benchDatabaseUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${BENCH_DATABASE}`;
  return url.toString();
}

/** The URL without credentials, for printing. */
export function shownUrl(url: string): string {
  const u = new URL(url);
  u.password = "";
  u.username = u.username ? u.username : "";
  return u.toString().replace(/\/\/[^@/]*@/, "//");
}

export async function ensureBenchDatabase(serverUrl: string): Promise<{ url: string; created: boolean }> {
  const url = benchDatabaseUrl(serverUrl);
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await admin`select 1 as one from pg_database where datname = ${BENCH_DATABASE}`;
    if (row) return { url, created: false };
    await admin.unsafe(`create database ${BENCH_DATABASE}`);
    return { url, created: true };
  } finally {
    await admin.end({ timeout: 5 });
  }
}

export function openBenchDatabase(url: string, maxConnections = 6): DatabaseHandle & { kind: "postgres" } {
  const handle = createDatabase({ url, maxConnections });
  if (handle.kind !== "postgres") throw new Error("the benchmark runs against a PostgreSQL server");
  return handle;
}
