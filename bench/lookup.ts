import "server-only";

import type { HttpClient } from "./http-client";
import { repeat, summarize, timed, type Summary } from "./measure";
import { ms, type TableRow } from "./report";
import { callAction, findAction } from "./server-action";

/*
 * A lookup a person triggers once per keystroke (the user filter's actor search, the search box's
 * suggestions): the server action over HTTP with its texts typed in turn, the same lookup in
 * this process (the database's part), and the naive statement it replaces, for a few texts.
 */

const ACTIONS_FILE = "app/orgs/[org]/audit-logs/lib/actions.ts";

export interface LookupTiming {
  http: { ttfb: Summary; full: Summary } | null;
  db: Summary;
  naive: Summary;
}

export async function timeLookup({
  client,
  distDir,
  slug,
  action: actionName,
  texts,
  args,
  inProcess,
  naiveTexts,
  naive,
  plan,
  log,
}: {
  client: HttpClient;
  distDir: string;
  slug: string;
  /** The server action's exported name in the explorer's actions file. */
  action: string;
  texts: readonly string[];
  /** The action's arguments after the organization's slug. */
  args: (text: string) => unknown;
  inProcess: (text: string) => Promise<unknown>;
  /** The naive way reads the organization's log per keystroke: a few texts only. */
  naiveTexts: readonly string[];
  naive: (text: string) => Promise<unknown>;
  plan: { warmup: number; runs: number; dbRuns: number; naiveRuns: number };
  log: (line: string) => void;
}): Promise<LookupTiming> {
  let i = 0;
  const next = () => texts[i++ % texts.length]!;
  let http: LookupTiming["http"] = null;
  try {
    const action = findAction(distDir, ACTIONS_FILE, actionName, slug);
    const runs = await repeat(() => callAction(client, action.pagePath, action.id, [slug, args(next())]), {
      warmup: plan.warmup,
      runs: Math.max(plan.runs, texts.length * 5),
    });
    for (const run of runs) {
      const value = run.value as { data?: unknown[]; error?: string } | null;
      if (!value || !Array.isArray(value.data)) throw new Error(`${actionName} answered ${JSON.stringify(value)}`);
    }
    http = { ttfb: summarize(runs.map((r) => r.http.ttfbMs)), full: summarize(runs.map((r) => r.http.totalMs)) };
  } catch (err) {
    log(`  ${actionName} over HTTP not measured: ${(err as Error).message}`);
  }
  i = 0;
  const db = summarize(
    await repeat(async () => (await timed(() => inProcess(next()))).ms, {
      warmup: 2,
      runs: Math.max(plan.dbRuns, texts.length * 3),
    }),
  );
  const naiveSummary = summarize(
    await repeat(
      async () =>
        (
          await timed(async () => {
            for (const text of naiveTexts) await naive(text);
          })
        ).ms / naiveTexts.length,
      { warmup: 0, runs: plan.naiveRuns },
    ),
  );
  return { http, db, naive: naiveSummary };
}

/** The table's row for a lookup: its figures beside the goal on the full request's p95. */
export function lookupRow(scenario: string, goalP95: number, t: LookupTiming): TableRow {
  const goal = `full p95 ≤ ${goalP95} ms`;
  const naive = ms(t.naive.median);
  const ratio = `${(t.naive.median / t.db.median).toFixed(1)}x`;
  if (!t.http)
    return { scenario, dbLimit: ms(t.db.median), naive, ratio, goal, met: null, verdict: "not measured over HTTP" };
  return {
    scenario,
    ttfbMedian: t.http.ttfb.median,
    ttfbP95: t.http.ttfb.p95,
    fullMedian: t.http.full.median,
    fullP95: t.http.full.p95,
    dbLimit: ms(t.db.median),
    naive,
    ratio,
    goal,
    met: t.http.full.p95 <= goalP95,
    verdict: `p95 ${ms(t.http.full.p95)}`,
  };
}
