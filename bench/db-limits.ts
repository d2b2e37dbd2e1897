import "server-only";

import { drizzle } from "drizzle-orm/postgres-js";
import type { SQL } from "drizzle-orm";
import postgres from "postgres";
import { CONSOLE_CONNECTION_SETTINGS, setDatabaseHandle, type Database } from "@/db/client";
import * as schema from "@/db/schema";
import { loadExplorer } from "@/lib/audit-log/load-explorer";
import type { RawSearchParams } from "@/lib/audit-log/search-params";
import { selectionFromParams } from "@/lib/audit-log/selection";
import { summarize, type Summary } from "./measure";

/*
 * The database side of each scenario, measured in this process with the explorer's own code:
 * - "DB limit": loadExplorer(), the very function the page awaits (page query, capped count and
 *   selected entry, in parallel, as the page issues them), through the same driver and prepared
 *   statements, timed end to end. The console cannot answer faster than this; the HTTP figures
 *   minus this is what rendering, auth and the network add.
 * - the statements it sent, captured through drizzle's logger and run once more under
 *   EXPLAIN (ANALYZE, BUFFERS): the plan and the server's own execution time, for the report.
 * - "naive": the same view answered the way a first implementation would: OFFSET paging, an
 *   exact count(*) on every page, ILIKE over the raw columns (which no index serves).
 */

export interface CapturedQuery {
  text: string;
  params: unknown[];
}

export interface ExplainedQuery {
  /** First 200 characters of the statement. */
  sql: string;
  executionMs: number;
  /** Median of 5 plannings of the statement with its parameters (EXPLAIN (SUMMARY)). */
  planningMs: number;
  /** The plan's nodes, top down, with the index or relation they read. */
  plan: string;
  sharedHit: number;
  sharedRead: number;
}

export interface DbLimit {
  /** loadExplorer() wall time. */
  load: Summary;
  queries: ExplainedQuery[];
}

export interface NaiveTiming {
  total: Summary;
  statements: { sql: string; ms: number }[];
}

interface Capture {
  on: boolean;
  queries: CapturedQuery[];
}

export interface ExplorerDatabase {
  sql: postgres.Sql;
  db: Database;
  capture: Capture;
  close(): Promise<void>;
}

/**
 * Points the application code imported here (the explorer's queries) at the bench database,
 * with a logger that can record the statements it sends.
 */
export function installExplorerDatabase(url: string): ExplorerDatabase {
  // The console's own session settings: without them the DB limit could use plans (parallel
  // workers) the console never runs.
  const client = postgres(url, {
    max: 10,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    connection: CONSOLE_CONNECTION_SETTINGS,
  });
  const capture: Capture = { on: false, queries: [] };
  const db = drizzle(client, {
    schema,
    logger: {
      logQuery(text: string, params: unknown[]) {
        if (capture.on) capture.queries.push({ text, params });
      },
    },
  }) as unknown as Database;
  const close = () => client.end({ timeout: 5 });
  setDatabaseHandle({ kind: "postgres", db, sql: client, close });
  return { sql: client, db, capture, close };
}

function explorerSelection(orgId: string, raw: RawSearchParams) {
  return selectionFromParams(orgId, raw, new Date()).selection;
}

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Relation Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  Plans?: PlanNode[];
}

// "Limit > Merge Append > Index Scan Backward(audit_logs_p202511_pkey) x14 ...": repeated
// partition scans of the same kind are folded into one item with a count.
function planSummary(root: PlanNode): string {
  const items: string[] = [];
  const walk = (node: PlanNode, depth: number) => {
    const target = node["Index Name"] ?? node["Relation Name"];
    const generic = target ? target.replace(/_p\d{6}|_default/, "_p*") : "";
    items.push(
      `${"  ".repeat(depth)}${node["Node Type"]}${generic ? `(${generic})` : ""} rows=${node["Actual Rows"] ?? "?"}`,
    );
    for (const child of node.Plans ?? []) walk(child, depth + 1);
  };
  walk(root, 0);
  const folded: string[] = [];
  let last = "";
  let count = 0;
  for (const item of items.map((s) => s.replace(/ rows=\d+/, ""))) {
    if (item === last) {
      count++;
      continue;
    }
    if (last) folded.push(count > 1 ? `${last} x${count}` : last);
    last = item;
    count = 1;
  }
  if (last) folded.push(count > 1 ? `${last} x${count}` : last);
  return folded
    .map((s) => s.trim())
    .join(" > ")
    .slice(0, 600);
}

export async function explain(sql: postgres.Sql, query: CapturedQuery): Promise<ExplainedQuery> {
  const rows = await sql.unsafe(
    `explain (analyze, buffers, format json) ${query.text}`,
    query.params as postgres.ParameterOrJSON<never>[],
  );
  const doc = (rows[0] as Record<string, unknown>)["QUERY PLAN"] as [
    { Plan: PlanNode & { "Shared Hit Blocks"?: number; "Shared Read Blocks"?: number }; "Execution Time": number },
  ];
  const top = doc[0];
  const plannings: number[] = [];
  for (let i = 0; i < 5; i++) {
    const planned = await sql.unsafe(
      `explain (summary, format json) ${query.text}`,
      query.params as postgres.ParameterOrJSON<never>[],
    );
    plannings.push(
      ((planned[0] as Record<string, unknown>)["QUERY PLAN"] as [{ "Planning Time": number }])[0]["Planning Time"],
    );
  }
  return {
    sql: query.text.replace(/\s+/g, " ").slice(0, 200),
    executionMs: top["Execution Time"],
    planningMs: summarize(plannings).median,
    plan: planSummary(top.Plan),
    sharedHit: top.Plan["Shared Hit Blocks"] ?? 0,
    sharedRead: top.Plan["Shared Read Blocks"] ?? 0,
  };
}

/** The explorer's data load for these URL params, timed `runs` times after `warmup`. */
export async function measureDbLimit(
  explorer: ExplorerDatabase,
  orgId: string,
  raw: RawSearchParams,
  { warmup, runs }: { warmup: number; runs: number },
): Promise<DbLimit> {
  for (let i = 0; i < warmup; i++) {
    await loadExplorer(explorerSelection(orgId, raw));
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const selection = explorerSelection(orgId, raw);
    explorer.capture.on = i === 0;
    explorer.capture.queries = i === 0 ? [] : explorer.capture.queries;
    const started = performance.now();
    await loadExplorer(selection);
    times.push(performance.now() - started);
    explorer.capture.on = false;
  }
  const queries: ExplainedQuery[] = [];
  for (const q of explorer.capture.queries) queries.push(await explain(explorer.sql, q));
  return { load: summarize(times), queries };
}

/** A function's own time, for DB-side steps that are not the explorer's page load (counts). */
export async function measureCall(
  fn: () => Promise<unknown>,
  { warmup, runs }: { warmup: number; runs: number },
): Promise<Summary> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return summarize(times);
}

/** The naive statements, one after the other as a naive page would send them, `runs` times. */
export async function measureNaive(explorer: ExplorerDatabase, statements: SQL[], runs: number): Promise<NaiveTiming> {
  const totals: number[] = [];
  const each: number[][] = statements.map(() => []);
  for (let r = 0; r < runs; r++) {
    let total = 0;
    for (const [i, statement] of statements.entries()) {
      const started = performance.now();
      await explorer.db.execute(statement);
      const ms = performance.now() - started;
      each[i]!.push(ms);
      total += ms;
    }
    totals.push(total);
  }
  const dialect = new (await import("drizzle-orm/pg-core")).PgDialect();
  return {
    total: summarize(totals),
    statements: statements.map((s, i) => ({
      sql: dialect.sqlToQuery(s).sql.replace(/\s+/g, " ").slice(0, 300),
      ms: summarize(each[i]!).median,
    })),
  };
}
