import "server-only";

import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { suggestActions } from "@/lib/audit-log/action-names";
import type { ExplorerDatabase } from "./db-limits";
import { GOALS } from "./goals";
import type { HttpClient } from "./http-client";
import { repeat, summarize, timed, type Summary } from "./measure";
import { ms, type TableRow } from "./report";
import { callAction, findAction } from "./server-action";

/*
 * The search box's `action:` suggestions on the largest organization: the server action over
 * HTTP (origin, session and audit.view checked, then the loose index scan of org_action_idx),
 * its database part in this process, and the naive way: DISTINCT over the organization's entries
 * whose action starts with the text.
 */

const ACTIONS_FILE = "app/orgs/[org]/audit-logs/lib/actions.ts";
const SHOWN = 8;

/** What a person types after `action:`, keystroke by keystroke (the data set's actions, db/seed). */
export const ACTION_TEXTS = ["", "d", "de", "del", "l", "lo", "c", "ch"];

export interface ActionSuggestionResult {
  texts: string[];
  matches: Record<string, number>;
  http: { ttfb: Summary; full: Summary } | null;
  db: Summary;
  naive: Summary;
}

function naiveStatement(orgId: string, text: string) {
  const prefix = `${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql`select distinct action from audit_logs
    where org_id = ${orgId} and action like ${prefix} order by action limit ${SHOWN}`;
}

export async function measureActionSuggestions({
  explorer,
  client,
  distDir,
  slug,
  orgId,
  plan,
  log,
}: {
  explorer: ExplorerDatabase;
  client: HttpClient;
  distDir: string;
  slug: string;
  orgId: string;
  plan: { warmup: number; runs: number; dbRuns: number; naiveRuns: number };
  log: (line: string) => void;
}): Promise<ActionSuggestionResult> {
  const texts = ACTION_TEXTS;
  const matches: Record<string, number> = {};
  for (const text of texts) matches[text] = (await suggestActions(orgId, text, SHOWN)).length;

  let i = 0;
  const next = () => texts[i++ % texts.length]!;
  let http: ActionSuggestionResult["http"] = null;
  try {
    const action = findAction(distDir, ACTIONS_FILE, "suggestSearchValues", slug);
    const runs = await repeat(
      () => callAction(client, action.pagePath, action.id, [slug, { key: "action", text: next() }]),
      { warmup: plan.warmup, runs: Math.max(plan.runs, texts.length * 5) },
    );
    for (const run of runs) {
      const value = run.value as { data?: unknown[]; error?: string } | null;
      if (!value || !Array.isArray(value.data))
        throw new Error(`suggestSearchValues answered ${JSON.stringify(value)}`);
    }
    http = { ttfb: summarize(runs.map((r) => r.http.ttfbMs)), full: summarize(runs.map((r) => r.http.totalMs)) };
  } catch (err) {
    log(`  action suggestions over HTTP not measured: ${(err as Error).message}`);
  }
  i = 0;
  const db = summarize(
    await repeat(async () => (await timed(() => suggestActions(orgId, next(), SHOWN))).ms, {
      warmup: 2,
      runs: Math.max(plan.dbRuns, texts.length * 3),
    }),
  );
  // The naive way reads every matching entry per keystroke: two texts only.
  const naiveTexts = ["d", "lo"];
  const naive = summarize(
    await repeat(
      async () =>
        (
          await timed(async () => {
            for (const text of naiveTexts) await queryRows(explorer.db, naiveStatement(orgId, text));
          })
        ).ms / naiveTexts.length,
      { warmup: 0, runs: plan.naiveRuns },
    ),
  );
  log(
    `  action suggestions: ` +
      (http ? `full ${ms(http.full.median)} / p95 ${ms(http.full.p95)}, ` : "") +
      `DB ${ms(db.median)} / p95 ${ms(db.p95)}, naive ${ms(naive.median)} per keystroke`,
  );
  return { texts, matches, http, db, naive };
}

export function actionSuggestionRow(r: ActionSuggestionResult): TableRow {
  const goal = `full p95 ≤ ${GOALS.actionSuggestions.p95} ms`;
  const scenario = `action suggestions (search box), ${r.texts.length} texts typed in turn`;
  const naive = ms(r.naive.median);
  const ratio = `${(r.naive.median / r.db.median).toFixed(1)}x`;
  if (!r.http)
    return { scenario, dbLimit: ms(r.db.median), naive, ratio, goal, met: null, verdict: "not measured over HTTP" };
  return {
    scenario,
    ttfbMedian: r.http.ttfb.median,
    ttfbP95: r.http.ttfb.p95,
    fullMedian: r.http.full.median,
    fullP95: r.http.full.p95,
    dbLimit: ms(r.db.median),
    naive,
    ratio,
    goal,
    met: r.http.full.p95 <= GOALS.actionSuggestions.p95,
    verdict: `p95 ${ms(r.http.full.p95)}`,
  };
}
