import "server-only";

import { sql, type SQL } from "drizzle-orm";
import { queryRows } from "@/db/client";
import { listAuditEntries } from "@/lib/audit-log/entries";
import { selectionFromParams } from "@/lib/audit-log/selection";
import type { Dataset } from "./dataset";
import type { ExplorerDatabase } from "./db-limits";

/*
 * The explorer scenarios of the benchmark, on the largest organization. Each is an explorer URL
 * (what the console is asked over HTTP) and the naive statements a first implementation would
 * send for the same screen. The export modal's count is measured with the exports (exports.ts). "One million" (deep link, export) scales with the data set: it is
 * 1M at 10M rows, 10k at 100k rows.
 */

export type GoalClass = "view" | "search" | "none";

export interface Scenario {
  key: string;
  label: string;
  goal: GoalClass;
  /** Explorer search params. */
  params: Record<string, string>;
  /** The naive way's statements (page, then count), or null when there is no naive variant. */
  naive: SQL[] | null;
  /** What the setup found (match counts, depths), for the report. */
  facts: Record<string, string | number>;
}

export interface ScenarioContext {
  dataset: Dataset;
  /** Rows of the "one million" scenarios at this data set size. */
  millionRows: number;
  /** period=custom&from=... that matches `millionRows` entries of the largest organization. */
  millionFrom: string;
  /** Rows of the small export the whole organization's is compared with (100k at 10M rows). */
  smallExportRows: number;
  /** period=custom&from=... that matches `smallExportRows` entries of the largest organization. */
  smallExportFrom: string;
  scenarios: Scenario[];
}

const PAGE = 50;

// The words searched for. Their share of the largest organization's entries (100k rows, seed 1):
// "sendgrid" 0.3% (a secret's name), "deploy" 12.8%, "ch" starts the checkout service and the
// emails of the Chens; the data set's delete actions are named delete_<thing>.
export const RARE_WORD = "sendgrid";
export const COMMON_WORD = "deploy";
export const SHORT_WORD = "ch";
export const QUALIFIERS = "action:delete_profile resource:datacenter-link";

const SUMMARY = sql.raw(
  "id, occurred_at, actor_id, actor_name, actor_email, category, action, description, target_type, target_id, target_name, result, level, error_code",
);

function naiveText(word: string): SQL {
  const p = `%${word}%`;
  return sql`(actor_name ilike ${p} or actor_email ilike ${p} or target_name ilike ${p} or host(ip) ilike ${p} or description ilike ${p} or request_id ilike ${p})`;
}

function naivePage(where: SQL, order: SQL, offset = 0): SQL[] {
  return [
    sql`select ${SUMMARY} from audit_logs where ${where} order by ${order} limit ${PAGE} offset ${offset}`,
    sql`select count(*) from audit_logs where ${where}`,
  ];
}

const byTime = sql.raw("occurred_at desc, id desc");

async function nthNewest(
  explorer: ExplorerDatabase,
  orgId: string,
  n: number,
): Promise<{ id: string; at: string } | null> {
  const [row] = await queryRows<{ id: string; at: string }>(
    explorer.db,
    sql`select id::text as id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at
        from audit_logs where org_id = ${orgId} order by occurred_at desc, id desc offset ${Math.max(0, n - 1)} limit 1`,
  );
  return row ?? null;
}

async function countWhere(explorer: ExplorerDatabase, where: SQL): Promise<number> {
  const [row] = await queryRows<{ n: string }>(explorer.db, sql`select count(*) as n from audit_logs where ${where}`);
  return Number(row?.n ?? 0);
}

/** The cursor of the 100th page, reached the way a person would: 99 times "Next". */
async function cursorOfPage(orgId: string, raw: Record<string, string>, page: number): Promise<string | null> {
  let cursor: string | null = null;
  for (let i = 1; i < page; i++) {
    const { selection } = selectionFromParams(orgId, cursor ? { ...raw, cursor } : raw);
    const result = await listAuditEntries(selection);
    if (!result.hasNext || !result.nextCursor) return null;
    cursor = result.nextCursor;
  }
  return cursor;
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export async function prepareScenarios(explorer: ExplorerDatabase, dataset: Dataset): Promise<ScenarioContext> {
  const org = dataset.largest.id;
  const orgRows = Math.round(dataset.meta.rows / 2);
  // 1M at 10M rows and above (an xlsx sheet holds 1,048,575), a tenth of the rows below.
  const millionRows = Math.max(1000, Math.min(1_000_000, orgRows, Math.round(dataset.meta.rows / 10)));
  const inOrg = sql`org_id = ${org}`;
  const last7d = sql`${inOrg} and occurred_at >= now() - interval '7 days'`;
  const last30d = sql`${inOrg} and occurred_at >= now() - interval '30 days'`;
  // Before the oldest entry: the whole history of the organization.
  const allTimeFrom = isoDate(new Date(dataset.meta.now).getTime() - (dataset.meta.days + 5) * 86_400_000);
  const allTime = sql`${inOrg} and occurred_at >= ${allTimeFrom}::timestamptz`;

  const edge = await nthNewest(explorer, org, millionRows);
  if (!edge) throw new Error("the largest organization has fewer entries than expected");
  const millionFrom = edge.at;
  const smallExportRows = Math.max(100, Math.round(millionRows / 10));
  const smallEdge = await nthNewest(explorer, org, smallExportRows);
  if (!smallEdge) throw new Error("the largest organization has fewer entries than expected");
  const smallExportFrom = smallEdge.at;

  const deepLink = await nthNewest(explorer, org, millionRows + 1);
  if (!deepLink) throw new Error("no entry deep enough for the deep-link scenario");

  const pageParams = { period: "30d" };
  const cursor = await cursorOfPage(org, pageParams, 100);
  if (!cursor) throw new Error("fewer than 100 pages in the last 30 days of the largest organization");

  const member = dataset.member.email;
  const scenarios: Scenario[] = [
    {
      key: "default",
      label: "default view (7 days, newest first)",
      goal: "view",
      params: {},
      naive: naivePage(last7d, byTime),
      facts: {},
    },
    {
      key: "type-result",
      label: "type + result filter (auth,service; failed)",
      goal: "view",
      params: { type: "auth,service", result: "failed" },
      naive: naivePage(sql`${last7d} and category in ('auth', 'service') and result = 'failed'`, byTime),
      facts: {},
    },
    {
      key: "user",
      label: "one user",
      goal: "view",
      params: { user: member },
      naive: naivePage(sql`${last7d} and actor_email ilike ${member}`, byTime),
      facts: { user: member },
    },
    {
      key: "rare-word",
      label: `rare free word "${RARE_WORD}"`,
      goal: "search",
      params: { q: RARE_WORD },
      naive: naivePage(sql`${last7d} and ${naiveText(RARE_WORD)}`, byTime),
      facts: {},
    },
    {
      key: "common-word",
      label: `common free word "${COMMON_WORD}"`,
      goal: "search",
      params: { q: COMMON_WORD },
      naive: naivePage(sql`${last7d} and ${naiveText(COMMON_WORD)}`, byTime),
      facts: {},
    },
    {
      key: "short-word",
      label: `2-character word "${SHORT_WORD}"`,
      goal: "none",
      params: { q: SHORT_WORD },
      naive: naivePage(sql`${last7d} and ${naiveText(SHORT_WORD)}`, byTime),
      facts: {},
    },
    {
      key: "qualifiers",
      label: `qualifiers ${QUALIFIERS}`,
      goal: "search",
      params: { q: QUALIFIERS },
      naive: naivePage(
        sql`${last7d} and action ilike 'delete_profile' and (target_name ilike 'datacenter-link' or target_id ilike 'datacenter-link')`,
        byTime,
      ),
      facts: {},
    },
    {
      key: "sort-user",
      label: "sort by user",
      goal: "view",
      params: { sort: "user" },
      naive: naivePage(last7d, sql.raw("actor_email desc, occurred_at desc, id desc")),
      facts: {},
    },
    {
      key: "page-100",
      label: "100th page via cursors (30 days)",
      goal: "view",
      params: { ...pageParams, cursor },
      naive: naivePage(last30d, byTime, 99 * PAGE),
      facts: {},
    },
    {
      key: "deep-link",
      label: `deep link to an entry ${millionRows.toLocaleString("en-US")} rows deep`,
      goal: "view",
      params: { period: "custom", from: allTimeFrom, entry: deepLink.id },
      naive: [
        // Its page number first (rows newer than it), then that page and the total.
        sql`select count(*) from audit_logs where ${allTime} and (occurred_at > ${deepLink.at}::timestamptz or (occurred_at = ${deepLink.at}::timestamptz and id > ${deepLink.id}::uuid))`,
        ...naivePage(allTime, byTime, Math.floor(millionRows / PAGE) * PAGE),
      ],
      facts: { depth: millionRows, entry: deepLink.id },
    },
  ];

  // Match counts within each scenario's period, for the report (not timed).
  const counts: [string, SQL][] = [
    ["type-result", sql`${last7d} and category in ('auth', 'service') and result = 'failed'`],
    ["user", sql`${last7d} and lower(actor_email) = ${member}`],
    ["rare-word", sql`${last7d} and ${naiveText(RARE_WORD)}`],
    ["common-word", sql`${last7d} and ${naiveText(COMMON_WORD)}`],
    ["default", last7d],
  ];
  for (const [key, where] of counts) {
    const s = scenarios.find((x) => x.key === key)!;
    s.facts.matching = await countWhere(explorer, where);
  }
  return { dataset, millionRows, millionFrom, smallExportRows, smallExportFrom, scenarios };
}

export function explorerPath(slug: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `/orgs/${slug}/audit-logs${query ? `?${query}` : ""}`;
}
