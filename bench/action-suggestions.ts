import "server-only";

import { sql } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { suggestActions } from "@/lib/audit-log/action-names";
import type { ExplorerDatabase } from "./db-limits";
import { GOALS } from "./goals";
import type { HttpClient } from "./http-client";
import { lookupRow, timeLookup, type LookupTiming } from "./lookup";
import { ms, type TableRow } from "./report";

/*
 * The search box's `action:` suggestions on the largest organization: the server action over
 * HTTP (origin, session and audit.view checked, then the loose index scan of org_action_idx),
 * its database part in this process, and the naive way: DISTINCT over the organization's entries
 * whose action starts with the text.
 */

const SHOWN = 8;

/** What a person types after `action:`, keystroke by keystroke (the data set's actions, db/seed). */
export const ACTION_TEXTS = ["", "d", "de", "del", "l", "lo", "c", "ch"];

export interface ActionSuggestionResult extends LookupTiming {
  texts: string[];
  matches: Record<string, number>;
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

  const { http, db, naive } = await timeLookup({
    client,
    distDir,
    slug,
    action: "suggestSearchValues",
    texts,
    args: (text) => ({ key: "action", text }),
    inProcess: (text) => suggestActions(orgId, text, SHOWN),
    naiveTexts: ["d", "lo"],
    naive: (text) => queryRows(explorer.db, naiveStatement(orgId, text)),
    plan,
    log,
  });
  log(
    `  action suggestions: ` +
      (http ? `full ${ms(http.full.median)} / p95 ${ms(http.full.p95)}, ` : "") +
      `DB ${ms(db.median)} / p95 ${ms(db.p95)}, naive ${ms(naive.median)} per keystroke`,
  );
  return { texts, matches, http, db, naive };
}

export function actionSuggestionRow(r: ActionSuggestionResult): TableRow {
  return lookupRow(
    `action suggestions (search box), ${r.texts.length} texts typed in turn`,
    GOALS.actionSuggestions.p95,
    r,
  );
}
