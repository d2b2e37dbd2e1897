import "server-only";

import { sql, type SQL } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { auditLogs } from "@/db/schema";
import { COMPACT_FREE_WORD_ROW_CAP, readSearchInsights } from "@/lib/audit-log/insights";
import { loadExplorer } from "@/lib/audit-log/load-explorer";
import type { RawSearchParams } from "@/lib/audit-log/search-params";
import { selectionFromParams } from "@/lib/audit-log/selection";
import { readSignInPatterns } from "@/lib/audit-log/sign-in-patterns";
import { selectionWhere } from "@/lib/audit-log/where";
import type { ExplorerDatabase } from "./db-limits";
import { checkPage } from "./explorer-http";
import type { HttpClient } from "./http-client";
import { repeat, summarize, timed, type Summary } from "./measure";
import { ms, type TableRow } from "./report";
import type { ScenarioContext } from "./scenarios";

/*
 * Insights (issue 18): for each search, the insights page over HTTP, the database work it awaits
 * (histogram and facets in one capped GROUPING SETS scan, and the failed sign-ins of the period,
 * in parallel, in this process through the console's code), beside the naive way: one plain
 * GROUP BY per figure over every matching raw row, uncapped, one after the other. And the
 * explorer's cost with and without its compact histogram, in the same run: loadExplorer() alone
 * against loadExplorer() with the histogram read beside it, as the page starts them.
 */

export interface InsightScenario {
  key: string;
  label: string;
  params: RawSearchParams;
  goalMs: number;
}

export interface InsightResult {
  scenario: InsightScenario;
  http: { ttfb: Summary; full: Summary };
  db: Summary;
  naive: Summary | null;
  capped: boolean;
  counted: number;
}

export interface ExplorerOverhead {
  scenario: string;
  without: Summary;
  with: Summary;
  ratio: number;
}

export function insightScenarios(ctx: ScenarioContext): InsightScenario[] {
  const of = (key: string) => ctx.scenarios.find((s) => s.key === key)?.params ?? {};
  return [
    { key: "default", label: "insights: default view (7 days)", params: {}, goalMs: 300 },
    { key: "type-result", label: "insights: type + result filter", params: of("type-result"), goalMs: 300 },
    { key: "user", label: "insights: one user", params: of("user"), goalMs: 300 },
    { key: "category", label: "insights: type=auth", params: { type: "auth" }, goalMs: 300 },
    { key: "30d", label: "insights: 30 days", params: { period: "30d" }, goalMs: 800 },
    { key: "word", label: `insights: common free word (7 days)`, params: of("common-word"), goalMs: 800 },
    {
      key: "word-30d",
      label: "insights: common free word, 30 days",
      params: { ...of("common-word"), period: "30d" },
      goalMs: 800,
    },
  ];
}

function insightsPath(slug: string, params: RawSearchParams): string {
  const q = new URLSearchParams(params as Record<string, string>).toString();
  return `/orgs/${slug}/audit-logs/insights${q ? `?${q}` : ""}`;
}

// The naive way: every figure its own GROUP BY over all matching raw rows, no cap.
function naiveStatements(where: SQL): SQL[] {
  const t = auditLogs;
  const group = (column: SQL, limit: number | null) =>
    sql`select ${column} as v, count(*) from ${t} where ${where} group by 1 order by 2 desc${limit ? sql` limit ${limit}` : sql``}`;
  return [
    sql`select date_trunc('hour', ${t.occurredAt}) as b, ${t.result}, count(*) from ${t} where ${where} group by 1, 2`,
    group(sql`${t.category}`, null),
    group(sql`${t.level}`, null),
    group(sql`lower(${t.actorEmail})`, 10),
    group(sql`lower(${t.action})`, 10),
    group(sql`lower(${t.targetName})`, 10),
    group(sql`host(${t.ip})`, 10),
  ];
}

export async function measureInsights({
  explorer,
  client,
  slug,
  orgId,
  ctx,
  plan,
  log,
}: {
  explorer: ExplorerDatabase;
  client: HttpClient;
  slug: string;
  orgId: string;
  ctx: ScenarioContext;
  plan: { warmup: number; runs: number; dbRuns: number; naiveRuns: number };
  log: (line: string) => void;
}): Promise<{ results: InsightResult[]; overhead: ExplorerOverhead[] }> {
  const results: InsightResult[] = [];
  for (const scenario of insightScenarios(ctx)) {
    const path = insightsPath(slug, scenario.params);
    const once = async () => {
      const r = await client.request(path);
      checkPage(r, `GET ${path}`);
      return r;
    };
    const http = await repeat(once, { warmup: plan.warmup, runs: plan.runs });
    const selection = () => selectionFromParams(orgId, scenario.params, new Date()).selection;
    let last: Awaited<ReturnType<typeof readSearchInsights>> | null = null;
    const db = await repeat(
      async () =>
        (
          await timed(async () => {
            const s = selection();
            [last] = await Promise.all([readSearchInsights(s), readSignInPatterns(orgId, s.params)]);
          })
        ).ms,
      { warmup: 2, runs: plan.dbRuns },
    );
    const where = selectionWhere(auditLogs, selection());
    const naive = await repeat(
      async () =>
        (
          await timed(async () => {
            for (const statement of naiveStatements(where)) await queryRows(explorer.db, statement);
          })
        ).ms,
      { warmup: 0, runs: plan.naiveRuns },
    );
    const result: InsightResult = {
      scenario,
      http: { ttfb: summarize(http.map((r) => r.ttfbMs)), full: summarize(http.map((r) => r.totalMs)) },
      db: summarize(db),
      naive: summarize(naive),
      capped: last!.coverage.capped,
      counted: last!.coverage.counted,
    };
    results.push(result);
    log(
      `  ${scenario.label}: full ${result.http.full.median.toFixed(1)} / p95 ${result.http.full.p95.toFixed(1)} ms, ` +
        `DB ${result.db.median.toFixed(1)} / p95 ${result.db.p95.toFixed(1)} ms, naive ${result.naive!.median.toFixed(1)} ms; ` +
        `${result.counted.toLocaleString("en-US")} counted${result.capped ? " (capped)" : ""}`,
    );
  }

  const overhead: ExplorerOverhead[] = [];
  for (const key of ["default", "type-result", "common-word"]) {
    const params = ctx.scenarios.find((s) => s.key === key)?.params ?? {};
    const selection = () => selectionFromParams(orgId, params, new Date()).selection;
    const runs = { warmup: 2, runs: plan.dbRuns };
    // Alternating would be fairer to caches; both halves run warm after their warm-up.
    const without = await repeat(async () => (await timed(() => loadExplorer(selection()))).ms, runs);
    const withHistogram = await repeat(
      async () =>
        (
          await timed(async () => {
            const s = selection();
            await Promise.all([
              loadExplorer(s),
              readSearchInsights(s, { facets: false, freeWordCap: COMPACT_FREE_WORD_ROW_CAP }),
            ]);
          })
        ).ms,
      runs,
    );
    const a = summarize(without);
    const b = summarize(withHistogram);
    overhead.push({ scenario: key, without: a, with: b, ratio: b.median / a.median });
    log(
      `  explorer ${key}: loadExplorer ${a.median.toFixed(1)} ms, with the histogram beside it ${b.median.toFixed(1)} ms (${(b.median / a.median).toFixed(2)}x)`,
    );
  }
  return { results, overhead };
}

/** Rows for the benchmark's table: the goal is read on the full HTTP p95 (the page streams nothing before its figures). */
export function insightTableRows({
  results,
  overhead,
}: {
  results: InsightResult[];
  overhead: ExplorerOverhead[];
}): TableRow[] {
  const rows: TableRow[] = results.map((r) => ({
    scenario: `${r.scenario.label}${r.capped ? ` (capped: newest ${r.counted.toLocaleString("en-US")})` : ""}`,
    ttfbMedian: r.http.ttfb.median,
    ttfbP95: r.http.ttfb.p95,
    fullMedian: r.http.full.median,
    fullP95: r.http.full.p95,
    dbLimit: ms(r.db.median),
    naive: r.naive ? ms(r.naive.median) : "—",
    ratio: r.naive ? `${(r.naive.median / r.db.median).toFixed(1)}x` : "—",
    goal: `full p95 ≤ ${r.scenario.goalMs} ms${r.scenario.goalMs > 300 ? " or capped" : ""}`,
    met: r.http.full.p95 <= r.scenario.goalMs || (r.scenario.goalMs > 300 && r.capped),
    verdict: `p95 ${ms(r.http.full.p95)}`,
  }));
  for (const o of overhead) {
    rows.push({
      scenario: `explorer ${o.scenario}: DB with the compact histogram / without`,
      dbLimit: `${ms(o.with.median)} / ${ms(o.without.median)}`,
      ratio: `${o.ratio.toFixed(2)}x`,
      goal: "— (the goal is read over HTTP, below)",
      met: null,
    });
  }
  return rows;
}
