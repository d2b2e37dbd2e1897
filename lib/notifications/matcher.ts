import "server-only";

import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { queryRows, type Transaction } from "@/db/client";
import {
  auditLogs,
  userSortKey,
  notificationChannels,
  notificationDeliveries,
  notificationRuleChannels,
  notificationRules,
  notificationThresholdState,
  organizations,
} from "@/db/schema";
import type { AuditCategory, AuditResult, NotificationGroupBy, NotificationRuleMode } from "@/db/schema/enums";
import { detailColumns, toDetails, type DetailRow } from "@/lib/audit-log/rows";
import type { AuditEntrySummary } from "@/lib/audit-log/types";
import { selectionWhere } from "@/lib/audit-log/where";
import type { ArrivalKeyConsumer, ArrivedEntry, ArrivedKey } from "@/lib/worker/arrivals";
import { messagePermalink, messageUrl } from "./links";
import { eachText, MAX_THRESHOLD_ENTRIES, payloadEntry, thresholdText, type NotificationPayload } from "./payload";
import { ruleSearchHref, ruleSelection, type RuleGroup, type RuleWindow } from "./rule-search";

/*
 * The notification matcher: an arrival consumer (lib/worker/arrivals.ts) that reads each
 * organization's new entries in order of arrival and, per batch, evaluates the organization's
 * enabled rules set-wise through the query core: ONE statement asks which of the batch's entries
 * each rule matches (selectionWhere of the rule over the batch's occurred_at span, narrowed to the
 * batch's ids), whatever the number of entries and rules. The messages go into the outbox
 * (notification_deliveries) in the transaction that moves the cursor, so a batch is matched
 * exactly once, also across crashes and instances; the outbox's dedupe key makes a replayed match
 * a no-op all the same.
 *
 * Threshold rules ("N matching entries within M minutes, per user or IP address"): an entry that
 * matches fires the rule for its group when the entries of that group matching the rule with
 * occurred_at in (t - M min, t] number at least N, t being the entry's occurred_at; the count is
 * the query core's, over that window. The window rule: after firing at t, the group does not fire
 * again for entries that occurred before t + M min; the next firing can then only count entries
 * after t, so each message is about entries no earlier message counted. An entry that arrives late
 * with an occurred_at inside a suppressed window does not fire either.
 */

export const NOTIFICATIONS_CONSUMER = "notifications";

export interface MatchedRule {
  id: string;
  name: string;
  query: string;
  types: AuditCategory[];
  results: AuditResult[];
  mode: NotificationRuleMode;
  thresholdCount: number | null;
  thresholdMinutes: number | null;
  groupBy: NotificationGroupBy | null;
  channelIds: string[];
}

const MINUTE_MS = 60_000;

async function enabledRules(tx: Transaction, orgId: string): Promise<MatchedRule[]> {
  const rows = await tx
    .select({
      id: notificationRules.id,
      name: notificationRules.name,
      query: notificationRules.query,
      types: notificationRules.types,
      results: notificationRules.results,
      mode: notificationRules.mode,
      thresholdCount: notificationRules.thresholdCount,
      thresholdMinutes: notificationRules.thresholdMinutes,
      groupBy: notificationRules.groupBy,
      channelId: notificationRuleChannels.channelId,
    })
    .from(notificationRules)
    .innerJoin(
      notificationRuleChannels,
      and(
        eq(notificationRuleChannels.orgId, notificationRules.orgId),
        eq(notificationRuleChannels.ruleId, notificationRules.id),
      ),
    )
    // The channel must be the organization's own, whatever a bad row says.
    .innerJoin(
      notificationChannels,
      and(
        eq(notificationChannels.id, notificationRuleChannels.channelId),
        eq(notificationChannels.orgId, notificationRules.orgId),
      ),
    )
    .where(and(eq(notificationRules.orgId, orgId), eq(notificationRules.enabled, true)))
    .orderBy(asc(notificationRules.createdAt), asc(notificationRules.id));
  const rules = new Map<string, MatchedRule>();
  for (const { channelId, ...rule } of rows) {
    const known = rules.get(rule.id);
    if (known) known.channelIds.push(channelId);
    else rules.set(rule.id, { ...rule, channelIds: [channelId] });
  }
  // A threshold rule without its numbers cannot be evaluated; the page does not save one.
  return [...rules.values()].filter(
    (r) => r.mode === "each" || (r.thresholdCount !== null && r.thresholdCount > 0 && (r.thresholdMinutes ?? 0) > 0),
  );
}

function span(entries: readonly { occurredAt: string }[]): RuleWindow {
  let from = Infinity;
  let to = -Infinity;
  for (const e of entries) {
    const t = Date.parse(e.occurredAt);
    if (t < from) from = t;
    if (t > to) to = t;
  }
  return { from: new Date(from), to: new Date(to) };
}

function idsParam(ids: readonly string[]): SQL {
  return sql`${sql.param(ids)}::uuid[]`;
}

/**
 * Which batch entries each rule matches: one statement for all rules. The batch's rows are read
 * once (a materialized CTE) and every rule's WHERE is tested on those rows alone, under the log's
 * own name so that the query core's conditions apply to them unchanged. Each rule reading the log
 * itself, narrowed to the batch's ids, probed the indexes once per rule and entry: 20 rules x
 * 1,000 entries per batch set the matcher's pace at 2,000 entries/s (docs/performance.md).
 */
async function matchesByRule(
  tx: Transaction,
  orgId: string,
  rules: readonly MatchedRule[],
  entries: readonly Pick<ArrivedKey, "id" | "occurredAt">[],
): Promise<Map<number, Set<string>>> {
  const window = span(entries);
  const t = auditLogs;
  const parts = rules.map(
    (rule, index) =>
      sql`(select ${index}::int as rule, ${t.id} as id from batch as ${t} where ${selectionWhere(t, ruleSelection(orgId, rule, window))})`,
  );
  const rows = await queryRows<{ rule: number; id: string }>(
    tx,
    sql`with batch as materialized (
          select * from ${t}
          where ${t.orgId} = ${orgId}
            and ${t.occurredAt} >= ${window.from.toISOString()}::timestamptz
            and ${t.occurredAt} < ${new Date(window.to.getTime() + 1).toISOString()}::timestamptz
            and ${t.id} = any(${idsParam(entries.map((e) => e.id))})
        )
        ${sql.join(parts, sql` union all `)}`,
  );
  const out = new Map<number, Set<string>>();
  for (const row of rows) {
    const set = out.get(Number(row.rule)) ?? new Set<string>();
    set.add(row.id);
    out.set(Number(row.rule), set);
  }
  return out;
}

/** The group an entry belongs to: the actor (id, else e-mail) or the IP address; "" for none. */
export function groupKeyOf(
  groupBy: NotificationGroupBy | null,
  entry: { actor: AuditEntrySummary["actor"]; ip?: string | null },
): string {
  if (groupBy === "user") return entry.actor?.id ?? entry.actor?.email?.toLowerCase() ?? "";
  if (groupBy === "ip") return entry.ip ?? "";
  return "";
}

/*
 * A candidate's group as a filter of the query core: the explorer's `user` param (an actor id, or
 * an e-mail for an actor without one) or an `ip:` qualifier, each served by an index, so a count
 * is a short range scan. Entries with neither get a plain condition (no explorer filter says
 * "nobody"); so does the search link, which then shows the rule's whole window.
 */
function groupFilter(
  groupBy: NotificationGroupBy | null,
  entry: { actor: AuditEntrySummary["actor"]; ip?: string | null },
): { group: RuleGroup | null; extra: SQL | undefined } {
  const t = auditLogs;
  if (groupBy === null) return { group: null, extra: undefined };
  if (groupBy === "ip") {
    return entry.ip
      ? { group: { by: "ip", value: entry.ip }, extra: undefined }
      : { group: null, extra: sql`${t.ip} is null` };
  }
  const id = entry.actor?.id;
  if (id) return { group: { by: "user", value: id }, extra: undefined };
  const email = entry.actor?.email?.toLowerCase();
  if (email) return { group: { by: "user", value: email }, extra: sql`${t.actorId} is null` };
  return { group: null, extra: sql`${t.actorId} is null and ${t.actorEmail} is null` };
}

function buildEachPayload(rule: MatchedRule, orgSlug: string, entry: AuditEntrySummary): NotificationPayload {
  const item = payloadEntry(entry, messagePermalink(orgSlug, entry.id));
  return {
    rule: { id: rule.id, name: rule.name },
    organization: orgSlug,
    entries: [item],
    text: eachText(rule.name, orgSlug, item),
  };
}

interface DeliveryRow {
  orgId: string;
  ruleId: string;
  channelId: string;
  kind: "each" | "threshold";
  dedupeKey: string;
  payload: NotificationPayload;
}

function forChannels(
  rule: MatchedRule,
  orgId: string,
  kind: DeliveryRow["kind"],
  dedupeKey: string,
  payload: NotificationPayload,
): DeliveryRow[] {
  return rule.channelIds.map((channelId) => ({ orgId, ruleId: rule.id, channelId, kind, dedupeKey, payload }));
}

// The candidate's group as a correlated condition on the table against the candidate row `c`.
function groupKind(
  groupBy: NotificationGroupBy | null,
  entry: { actor: AuditEntrySummary["actor"]; ip?: string | null },
): { name: string; sameGroup: SQL } {
  const t = auditLogs;
  if (groupBy === null) return { name: "all", sameGroup: sql`true` };
  if (groupBy === "ip") {
    return entry.ip
      ? { name: "ip", sameGroup: sql`${t.ip} = c.ip` }
      : { name: "no-ip", sameGroup: sql`${t.ip} is null` };
  }
  if (entry.actor?.id) return { name: "actor", sameGroup: sql`${t.actorId} = c.actor_id` };
  if (entry.actor?.email) {
    return {
      name: "email",
      sameGroup: sql`${t.actorId} is null and ${userSortKey(t)} = lower(c.actor_email)`,
    };
  }
  return { name: "nobody", sameGroup: sql`${t.actorId} is null and ${t.actorEmail} is null` };
}

/** Threshold firings of one rule among its matching batch entries. */
async function thresholdDeliveries(
  tx: Transaction,
  orgId: string,
  orgSlug: string,
  rule: MatchedRule,
  candidates: ArrivedEntry[],
): Promise<DeliveryRow[]> {
  const count = rule.thresholdCount!;
  const minutes = rule.thresholdMinutes!;
  const windowMs = minutes * MINUTE_MS;
  const t = auditLogs;
  // The groups' last firings first: a candidate inside a quiet window needs no count at all,
  // which under a steady stream of matches (a busy user, a chatty address) is nearly all of them.
  const groups = [...new Set(candidates.map((e) => groupKeyOf(rule.groupBy, e)))];
  const states = await tx
    .select({ groupKey: notificationThresholdState.groupKey, suppressUntil: notificationThresholdState.suppressUntil })
    .from(notificationThresholdState)
    .where(
      and(
        eq(notificationThresholdState.orgId, orgId),
        eq(notificationThresholdState.ruleId, rule.id),
        sql`${notificationThresholdState.groupKey} = any(${sql.param(groups)}::text[])`,
      ),
    )
    // Two matchers never hold the same organization's cursor, but a rule's state is the rule's.
    .for("update");
  const suppressUntil = new Map(states.map((s) => [s.groupKey, s.suppressUntil.getTime()]));
  const open = candidates.filter(
    (e) => Date.parse(e.occurredAt) >= (suppressUntil.get(groupKeyOf(rule.groupBy, e)) ?? -Infinity),
  );
  if (open.length === 0) return [];

  // Each candidate's count: the rule's search through the query core over every candidate's
  // window at once, narrowed per candidate (a correlated subquery, planned once) to its own
  // window (t - M, t] and group, and counted up to the threshold only (LIMIT: whether N were
  // reached is the question, and a busy group's window may hold thousands). The group test is
  // written per kind of key so that it is an index range (actor id; e-mail), not an expression.
  const first = span(open);
  const outer = selectionWhere(
    t,
    ruleSelection(orgId, rule, { from: new Date(first.from.getTime() - windowMs), to: first.to }),
  );
  const kinds = new Map<string, { ids: string[]; sameGroup: SQL }>();
  for (const entry of open) {
    const kind = groupKind(rule.groupBy, entry);
    const known = kinds.get(kind.name) ?? { ids: [], sameGroup: kind.sameGroup };
    known.ids.push(entry.id);
    kinds.set(kind.name, known);
  }
  const parts = [...kinds.values()].map(
    ({ ids, sameGroup }) =>
      sql`(select c.id as id, (
            select count(*) from (
              select 1 from ${t}
              where ${outer}
                and ${t.occurredAt} > c.occurred_at - ${`${windowMs} milliseconds`}::interval
                and ${t.occurredAt} <= c.occurred_at
                and ${sameGroup}
              limit ${count}
            ) as capped
          ) as n
          from ${t} as c
          where c.org_id = ${orgId} and c.id = any(${idsParam(ids)}))`,
  );
  const counts = await queryRows<{ id: string; n: number | string }>(tx, sql.join(parts, sql` union all `));
  const countOf = new Map(counts.map((r) => [r.id, Number(r.n)]));
  const reached = open
    .filter((e) => (countOf.get(e.id) ?? 0) >= count)
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id));
  if (reached.length === 0) return [];

  // The firings, in order: a group fires at its first reaching entry outside its quiet window.
  const firings: { entry: ArrivedEntry; group: string; at: number }[] = [];
  for (const entry of reached) {
    const group = groupKeyOf(rule.groupBy, entry);
    const at = Date.parse(entry.occurredAt);
    if (at < (suppressUntil.get(group) ?? -Infinity)) continue;
    suppressUntil.set(group, at + windowMs);
    firings.push({ entry, group, at });
  }
  if (firings.length === 0) return [];
  await storeFirings(tx, orgId, rule.id, firings, windowMs);

  // The entries of every firing's message in two statements, whatever the number of firings: one
  // per firing read one at a time set the matcher's pace when many groups reached their threshold
  // at once (docs/performance.md, Notifications).
  const searches = firings.map(({ entry, at }) => {
    const window: RuleWindow = { from: new Date(at - windowMs + 1), to: new Date(at) };
    const { group: ruleGroup, extra } = groupFilter(rule.groupBy, entry);
    return {
      window,
      ruleGroup,
      where: and(selectionWhere(t, ruleSelection(orgId, rule, window, undefined, ruleGroup)), extra),
    };
  });
  const entriesOf = await firingEntries(
    tx,
    orgId,
    searches.map((s) => s.where!),
  );

  return firings.flatMap(({ entry, group, at }, index) => {
    const { window, ruleGroup } = searches[index]!;
    const matched = countOf.get(entry.id) ?? count;
    const searchUrl = messageUrl(ruleSearchHref(orgSlug, rule, window, ruleGroup));
    const groupLabel = rule.groupBy === null ? null : group === "" ? "[nobody]" : group;
    const payload: NotificationPayload = {
      rule: { id: rule.id, name: rule.name },
      organization: orgSlug,
      entries: (entriesOf.get(index) ?? []).map((details) =>
        payloadEntry(details, messagePermalink(orgSlug, details.id)),
      ),
      searchUrl,
      text: thresholdText(rule.name, orgSlug, matched, minutes, groupLabel, searchUrl),
    };
    return forChannels(rule, orgId, "threshold", `${group}@${new Date(at).toISOString()}`, payload);
  });
}

/** The groups' new quiet windows, in one statement (a group's last firing of the batch wins). */
async function storeFirings(
  tx: Transaction,
  orgId: string,
  ruleId: string,
  firings: readonly { group: string; at: number }[],
  windowMs: number,
): Promise<void> {
  const last = new Map<string, number>();
  for (const { group, at } of firings) last.set(group, Math.max(at, last.get(group) ?? -Infinity));
  const s = notificationThresholdState;
  await tx
    .insert(s)
    .values(
      [...last].map(([groupKey, at]) => ({
        orgId,
        ruleId,
        groupKey,
        firedAt: new Date(at),
        suppressUntil: new Date(at + windowMs),
      })),
    )
    .onConflictDoUpdate({
      target: [s.orgId, s.ruleId, s.groupKey],
      set: { firedAt: sql`excluded.fired_at`, suppressUntil: sql`excluded.suppress_until` },
    });
}

/**
 * The newest MAX_THRESHOLD_ENTRIES entries of each search, newest first, by the search's index:
 * the ids of all searches in one statement (a union of ordered, limited reads), then their
 * details in one more.
 */
async function firingEntries(
  tx: Transaction,
  orgId: string,
  searches: readonly SQL[],
): Promise<Map<number, AuditEntrySummary[]>> {
  const t = auditLogs;
  const picked: { firing: number; id: string }[] = [];
  // A bounded number of searches per statement keeps it well inside the parameter limit.
  for (let i = 0; i < searches.length; i += 100) {
    const parts = searches.slice(i, i + 100).map(
      (where, k) =>
        sql`(select ${i + k}::int as firing, ${t.id} as id from ${t} where ${where}
             order by ${t.occurredAt} desc, ${t.id} desc limit ${MAX_THRESHOLD_ENTRIES})`,
    );
    picked.push(...(await queryRows<{ firing: number; id: string }>(tx, sql.join(parts, sql` union all `))));
  }
  const byId = await detailsById(tx, orgId, [...new Set(picked.map((p) => p.id))]);
  const out = new Map<number, AuditEntrySummary[]>();
  for (const { firing, id } of picked) {
    const details = byId.get(id);
    if (!details) continue;
    const list = out.get(Number(firing)) ?? [];
    list.push(details);
    out.set(Number(firing), list);
  }
  // Each list newest first, as each search read it.
  for (const list of out.values()) {
    list.sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id));
  }
  return out;
}

/** The details of the batch's matched entries, in the batch's order. */
async function detailsOf(tx: Transaction, orgId: string, keys: readonly ArrivedKey[], ids: ReadonlySet<string>) {
  const byId = await detailsById(tx, orgId, [...ids]);
  return keys.flatMap((key) => {
    const details = byId.get(key.id);
    return details ? [{ ...details, orgId }] : [];
  });
}

/** The details of the given entries of one organization, by id, in one statement. */
async function detailsById(tx: Transaction, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, ReturnType<typeof toDetails>>();
  const t = auditLogs;
  const rows = (await tx
    .select(detailColumns(t))
    .from(t)
    .where(and(eq(t.orgId, orgId), sql`${t.id} = any(${idsParam(ids)})`))) as DetailRow[];
  return new Map(rows.map((row) => [row.id, toDetails(row)]));
}

/**
 * Matches one batch of one organization's new entries and stores the messages (the consumer's
 * handler). The batch comes as keys: only the entries some rule matches are read in full, which at
 * a few percent of the batch spares reading and parsing the rest.
 */
export async function matchBatch(tx: Transaction, orgId: string, keys: ArrivedKey[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rules = await enabledRules(tx, orgId);
  if (rules.length === 0) return 0;
  const [org] = await tx
    .select({ slug: organizations.slug })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .limit(1);
  if (!org) return 0;
  const matches = await matchesByRule(tx, orgId, rules, keys);
  const matchedIds = new Set([...matches.values()].flatMap((ids) => [...ids]));
  if (matchedIds.size === 0) return 0;
  const entries = await detailsOf(tx, orgId, keys, matchedIds);
  const rows: DeliveryRow[] = [];
  for (const [index, ids] of matches) {
    const rule = rules[index]!;
    const matched = entries.filter((e) => ids.has(e.id));
    if (rule.mode === "each") {
      for (const entry of matched)
        rows.push(...forChannels(rule, orgId, "each", entry.id, buildEachPayload(rule, org.slug, entry)));
    } else {
      rows.push(...(await thresholdDeliveries(tx, orgId, org.slug, rule, matched)));
    }
  }
  // A few hundred rows per statement keeps each insert well inside the parameter limit.
  for (let i = 0; i < rows.length; i += 500) {
    await tx
      .insert(notificationDeliveries)
      .values(rows.slice(i, i + 500))
      .onConflictDoNothing();
  }
  return rows.length;
}

export const notificationMatcher: ArrivalKeyConsumer = {
  name: NOTIFICATIONS_CONSUMER,
  startAt: "now",
  reads: "keys",
  async handle(tx, orgId, keys) {
    await matchBatch(tx, orgId, keys);
  },
};
