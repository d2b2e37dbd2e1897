import "server-only";

import { sql } from "drizzle-orm";
import { queryRows, type Executor } from "@/db/client";
import { getReadDb } from "@/db/read-replica";
import { findBursts, type Burst } from "./bursts";
import { parseSearchQuery } from "./search-language";
import type { ExplorerParams, ExplorerParamsOverrides } from "./search-params";
import type { AuditSelection } from "./selection";
import { asLiveShape, auditTableFor } from "./tables";
import { selectionWhere } from "./where";

/*
 * Failed sign-ins of a period (category auth, action login, result failed: what the console's
 * sign-in form and the platform's sign-in service write) grouped by address and by account, with
 * their bursts. The failures are read through the explorer's own WHERE, with the explorer filters
 * that `patternFilters` names, so every link lists exactly the failures counted here.
 */

/** Failures read at most (the newest); beyond it the section says so. */
export const SIGN_IN_ROW_CAP = 20_000;
export const PATTERN_GROUPS = 10;

export const FAILED_SIGN_IN_Q = "action:login";

/** The explorer filters of "failed sign-ins" within a search's period (its other filters dropped). */
export function patternFilters(extraQ = ""): ExplorerParamsOverrides {
  return { type: ["auth"], result: ["failed"], user: null, q: `${FAILED_SIGN_IN_Q}${extraQ ? ` ${extraQ}` : ""}` };
}

export interface SignInGroup {
  /** The address, or the account (the email tried: the entry's target name), lower-cased. */
  key: string;
  label: string;
  count: number;
  firstMs: number;
  lastMs: number;
  bursts: Burst[];
}

export interface SignInPatterns {
  total: number;
  /** More failures than SIGN_IN_ROW_CAP: the groups cover the newest ones, from `countedFromMs`. */
  capped: boolean;
  countedFromMs: number | null;
  byIp: { groups: SignInGroup[]; distinct: number };
  byAccount: { groups: SignInGroup[]; distinct: number };
}

function group(rows: { ms: number; key: string | null; label: string | null }[]) {
  const groups = new Map<string, { label: string; times: number[] }>();
  for (const row of rows) {
    if (row.key === null) continue;
    const g = groups.get(row.key) ?? { label: row.label ?? row.key, times: [] };
    g.times.push(row.ms);
    groups.set(row.key, g);
  }
  const all: SignInGroup[] = [...groups].map(([key, g]) => ({
    key,
    label: g.label,
    count: g.times.length,
    firstMs: g.times[0]!,
    lastMs: g.times[g.times.length - 1]!,
    bursts: findBursts(g.times),
  }));
  // Groups with bursts first, then the most failures.
  all.sort(
    (a, b) =>
      Number(b.bursts.length > 0) - Number(a.bursts.length > 0) || b.count - a.count || a.key.localeCompare(b.key),
  );
  return { groups: all.slice(0, PATTERN_GROUPS), distinct: all.length };
}

export function patternSelection(orgId: string, params: ExplorerParams): AuditSelection {
  const filters = patternFilters();
  const p: ExplorerParams = { ...params, ...filters, cursor: null, entry: null } as ExplorerParams;
  return { orgId, params: p, search: parseSearchQuery(p.q, { timeZone: p.tz }) };
}

export async function readSignInPatterns(
  orgId: string,
  params: ExplorerParams,
  { cap = SIGN_IN_ROW_CAP, db = getReadDb() }: { cap?: number; db?: Executor } = {},
): Promise<SignInPatterns> {
  const selection = patternSelection(orgId, params);
  const t = asLiveShape(auditTableFor(params.scope));
  const rows = await queryRows<{
    ms: string | number;
    ip: string | null;
    account: string | null;
    label: string | null;
  }>(
    db,
    sql`select (extract(epoch from ${t.occurredAt}) * 1000)::bigint as ms, host(${t.ip}) as ip,
          lower(${t.targetName}) as account, ${t.targetName} as label
        from ${t} where ${selectionWhere(t, selection)}
        order by ${t.occurredAt} desc, ${t.id} desc
        limit ${cap + 1}`,
  );
  const capped = rows.length > cap;
  const kept = rows
    .slice(0, cap)
    .map((r) => ({ ...r, ms: Number(r.ms) }))
    .reverse();
  return {
    total: kept.length,
    capped,
    countedFromMs: capped ? (kept[0]?.ms ?? null) : null,
    byIp: group(kept.map((r) => ({ ms: r.ms, key: r.ip, label: r.ip }))),
    byAccount: group(kept.map((r) => ({ ms: r.ms, key: r.account, label: r.label }))),
  };
}
