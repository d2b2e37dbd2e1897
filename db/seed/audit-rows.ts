import "server-only";

import type { DatabaseHandle } from "../client";
import type { MemberRole } from "../schema";
import { AUDIT_TEMPLATES, KIND_SQL, TARGET_POOLS, type AuditTemplate, type ParamKind } from "./audit-catalog";

/*
 * Demo and benchmark audit rows, generated set-based inside the database: one
 * INSERT ... SELECT FROM generate_series per chunk, with every attribute drawn from
 * hashint8extended(row number, seed + salt). Nothing random is involved, so the same seed and
 * `now` give the same rows (ids included) on any server, and nothing per row crosses the wire.
 *
 * Row numbers run from the oldest entry to the newest (times grow with the row number), so a
 * chunk fills a few neighbouring monthly partitions at a time and index insertions stay local.
 * The cost is index maintenance, the trigram GIN index above all; see SERVER_SETTINGS.
 *
 * Shape of the data:
 * - rows are made of the templates in audit-catalog.ts, weighted;
 * - every third-row block may be one asynchronous operation: pending -> processing -> done|failed,
 *   sharing a correlation id, seconds to minutes apart; on the newest day some stop early (still
 *   waiting or in progress);
 * - each period of rows holds two sign-in attacks: 45 failed sign-ins from one address against
 *   many accounts (some that do not exist: actor NULL, params.email), and 24 against one account
 *   from six addresses, ending in a lock-out;
 * - actors are the organization's real members (their ids, names and emails) and a synthetic
 *   population (`u_1234`, first.last@domain) whose activity is skewed towards a few people;
 *   platform jobs and webhooks act as `[nobody]` (actor NULL);
 * - public addresses are documentation ranges only (192.0.2.0/24, 198.51.100.0/24,
 *   203.0.113.0/24, 2001:db8::/32); platform jobs use 10.0.0.0/8.
 */

export interface SeedPerson {
  id: string;
  name: string;
  email: string;
  /** Admins and managers are the ones who change roles, settings and secrets. Default member. */
  role?: MemberRole;
}

export interface SeedOrg {
  id: string;
  /** Share of the rows, relative to the other organizations' weights. */
  weight: number;
  /** Email domain of the synthetic population. */
  domain: string;
  /** Display name used as the target of organization-level entries. Default: from the domain. */
  name?: string;
  people: SeedPerson[];
}

export interface SeedAuditRowsOptions {
  orgs: SeedOrg[];
  rows: number;
  seed: number;
  now: Date;
  /** Entries spread over this many days before `now`, denser towards `now`. Default 400. */
  days?: number;
  /** Rows per INSERT statement. Default 250,000 on a server, 50,000 on PGlite. */
  chunkSize?: number;
  /** Sessions inserting at once on a server. Default 2. PGlite has one session. */
  parallel?: number;
  onProgress?: (inserted: number, total: number) => void;
}

export interface SeedAuditRowsResult {
  inserted: number;
  ms: number;
}

const DAY_MS = 86_400_000;
const ASYNC_PERMILLE = 100; // share of three-row blocks that are one asynchronous operation
const REAL_PEOPLE_PERMILLE = 250; // share of human entries by the organization's real members
const SPRAY_ROWS = 45;
const TARGETED_ROWS = 24;
const BURST_ROWS = SPRAY_ROWS + TARGETED_ROWS; // a multiple of 3, so bursts never split a block
const MAX_BURST_PERIOD = 30_000;

const FIRST_NAMES = [
  "Aiko",
  "Ben",
  "Carla",
  "Daniel",
  "Elif",
  "Felix",
  "Grace",
  "Hiro",
  "Ines",
  "Jonas",
  "Keiko",
  "Liam",
  "Maya",
  "Noah",
  "Olga",
  "Pedro",
  "Quinn",
  "Rina",
  "Sam",
  "Tomas",
  "Uma",
  "Victor",
  "Wen",
  "Yusuf",
  "Zoe",
  "Arjun",
  "Beatriz",
  "Chen",
  "Dmitri",
  "Emma",
  "Farah",
  "Goro",
  "Helena",
  "Ivan",
  "Julia",
  "Kofi",
  "Lena",
  "Mateo",
  "Nadia",
  "Oscar",
];
const LAST_NAMES = [
  "Tanaka",
  "Schmidt",
  "Garcia",
  "Nguyen",
  "Okafor",
  "Rossi",
  "Yamamoto",
  "Kowalski",
  "Silva",
  "Dubois",
  "Ito",
  "Johansson",
  "Haddad",
  "Park",
  "Novak",
  "Fischer",
  "Suzuki",
  "Lopez",
  "Andersen",
  "Mori",
  "Costa",
  "Weber",
  "Takahashi",
  "Ahmed",
  "Walsh",
  "Bianchi",
  "Nakamura",
  "Jensen",
  "Kaur",
  "Horvat",
  "Watanabe",
  "Keller",
  "Sousa",
  "Ozturk",
  "Lindqvist",
  "Abe",
  "Brennan",
  "Petrov",
  "Varga",
  "Hoshino",
];
const BROWSERS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
];
const API_CLIENTS = [
  "python-requests/2.32.3",
  "terraform-provider-kiops/1.4.0",
  "kiops-sdk-node/3.1.0",
  "Go-http-client/2.0",
];
const PLATFORM_AGENTS = ["kiops-scheduler/1.8.2", "kiops-worker/3.2.0"];
const WEBHOOK_AGENT = "kiops-webhook-dispatcher/1.4.1";
const ATTACK_AGENTS = [
  "python-requests/2.31.0",
  "curl/8.5.0",
  "Go-http-client/1.1",
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
];
// Local parts tried by password sprays; none of them is a demo account.
const GUESSED_LOCAL_PARTS = [
  "root",
  "test",
  "info",
  "support",
  "it",
  "hr",
  "finance",
  "jenkins",
  "backup",
  "devops",
  "sales",
  "postmaster",
  "webmaster",
  "ceo",
  "office",
];
const ENVIRONMENTS = [
  "production",
  "production",
  "production",
  "production",
  "production",
  "staging",
  "staging",
  "staging",
  "development",
  "development",
];
// Hour of day (UTC) weights: the working day of an Asia-Pacific team, a quieter evening.
const HOUR_WEIGHTS = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2];

const AUDIT_COLUMNS = `org_id, id, occurred_at, received_at, actor_id, actor_name, actor_email, category, action,
  description, target_type, target_id, target_name, result, level, service, ip, user_agent, request_id,
  correlation_id, params, before, after, error_code, error_message`;

// ---------------------------------------------------------------------------------------------
// SQL literals. Every value below is either ours or an organization's member data; all of it is
// quoted here, nothing is spliced raw.

function lit(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function textArray(values: readonly string[]): string {
  return values.length === 0 ? `'{}'::text[]` : `ARRAY[${values.map(lit).join(",")}]::text[]`;
}

function intArray(values: readonly number[]): string {
  return `'{${values.join(",")}}'::int[]`;
}

function expand(weights: readonly number[]): number[] {
  return weights.flatMap((w, i) => Array.from({ length: w }, () => i));
}

// ---------------------------------------------------------------------------------------------
// Templates as a VALUES list the generator joins on.

const KINDS = Object.keys(KIND_SQL) as ParamKind[];
const kindCode = (kind: ParamKind) => KINDS.indexOf(kind);
const isInvalidInput = (e: readonly [string, string]) => e[0] === "invalid_input";

function targetOf(t: AuditTemplate): { ref: string; type: string | null; names: string[]; ids: string[] } {
  if (t.target === null) return { ref: "none", type: null, names: [], ids: [] };
  if (t.target === "self" || t.target === "user") return { ref: t.target, type: "user", names: [], ids: [] };
  if (t.target === "organization") return { ref: "organization", type: "organization", names: [], ids: [] };
  const pool = TARGET_POOLS[t.target];
  return { ref: "pool", type: pool.type, names: pool.items.map((i) => i[0]), ids: pool.items.map((i) => i[1]) };
}

function templateValues(): string {
  const rows = AUDIT_TEMPLATES.map((t, i) => {
    // Asynchronous operations fail while running, not on validation: their errors come first.
    const errors = [...t.errors.filter((e) => !isInvalidInput(e)), ...t.errors.filter(isInvalidInput)];
    const target = targetOf(t);
    return `(${[
      i,
      lit(t.category),
      lit(t.action),
      lit(t.description),
      lit(target.ref),
      target.type === null ? "NULL::text" : lit(target.type),
      textArray(target.names),
      textArray(target.ids),
      Math.max(1, target.names.length),
      lit(t.service),
      t.notice ? "true" : "false",
      t.privileged ? "true" : "false",
      t.system ?? 0,
      t.fail,
      textArray(errors.map((e) => e[0])),
      textArray(errors.map((e) => e[1])),
      Math.max(1, errors.length),
      Math.max(1, errors.filter((e) => !isInvalidInput(e)).length),
      kindCode(t.kind),
      lit(t.client),
      t.duration?.[0] ?? 0,
      t.duration?.[1] ?? 0,
    ].join(", ")})`;
  });
  return `(VALUES ${rows.join(",\n    ")}) AS t(tpl, cat, act, descr, tref, ttype, tnames, tids, tcount, svc,
      notice, priv, sys, fail, ecodes, emsgs, en, ena, kind, client, dmin, dmax)`;
}

function kindCase(part: keyof (typeof KIND_SQL)[ParamKind], fallback = "NULL"): string {
  const branches = KINDS.filter((k) => KIND_SQL[k][part]).map((k) => `WHEN ${kindCode(k)} THEN ${KIND_SQL[k][part]}`);
  return branches.length === 0 ? fallback : `CASE kind ${branches.join(" ")} ELSE ${fallback} END`;
}

const SINGLE_PICK = expand(AUDIT_TEMPLATES.map((t) => t.weight));
const ASYNC_PICK = expand(AUDIT_TEMPLATES.map((t) => t.asyncWeight ?? 0));

// ---------------------------------------------------------------------------------------------
// One organization's generation parameters, shared by its chunk statements.

interface OrgPlan {
  index: number;
  org: SeedOrg;
  name: string;
  rows: number;
  people: SeedPerson[];
  privileged: number[]; // 1-based positions in `people`
  population: number;
  opsTeam: number;
  burstPeriod: number; // 0: no bursts
  burstOffset: number;
  salt: bigint;
}

interface Clock {
  nowMs: number;
  dayIndex: number; // days since the epoch of `now` (UTC)
  dayStartMs: number;
  days: number;
}

function hashOf(plan: OrgPlan) {
  return (x: string, j: number) =>
    `(hashint8extended(${x}, ${(plan.salt + BigInt(j)).toString()}) & 9223372036854775807)`;
}

function planOrgs(opts: SeedAuditRowsOptions): OrgPlan[] {
  const totalWeight = opts.orgs.reduce((sum, o) => sum + o.weight, 0);
  if (!(totalWeight > 0)) throw new Error("seedAuditRows: organization weights must add up to more than 0");
  // Largest remainder, so the shares add up to exactly `rows`.
  const exact = opts.orgs.map((o) => (opts.rows * o.weight) / totalWeight);
  const counts = exact.map(Math.floor);
  let missing = opts.rows - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (missing-- <= 0) break;
    counts[i]! += 1;
  }
  return opts.orgs.map((org, index) => {
    const rows = counts[index]!;
    const people = [...org.people].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
    const privileged = people.flatMap((p, i) => (p.role === "admin" || p.role === "manager" ? [i + 1] : []));
    const population = Math.min(FIRST_NAMES.length * LAST_NAMES.length, Math.max(12, Math.round(rows / 400)));
    const period = Math.min(rows - (rows % 3), MAX_BURST_PERIOD);
    const burstPeriod = period >= 300 ? period : 0;
    const offset = Math.min(3 * Math.floor((0.97 * burstPeriod) / 3), burstPeriod - BURST_ROWS);
    return {
      index,
      org,
      name: org.name ?? capitalize(org.domain.split(".")[0] ?? org.domain),
      rows,
      people,
      privileged,
      population,
      opsTeam: Math.max(3, Math.round(population / 15)),
      burstPeriod,
      burstOffset: burstPeriod > 0 ? offset - (offset % 3) : 0,
      salt: (BigInt(opts.seed) * 1_000_003n + BigInt(index) * 7_919n) * 100n,
    };
  });
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Day offset (0 = today) of time key `tk`: older keys are spread thinner, newer ones denser. */
function dayOffsetSql(tk: string, plan: OrgPlan, clock: Clock): string {
  return `least(${clock.days - 1}, floor(${clock.days} * power(1 - (${tk} + 0.5)::float8 / ${plan.rows}, 1.5))::int)`;
}

/** Milliseconds since the epoch for day offset `dof` and hash `h`, never after `now`. */
function instantSql(dof: string, h: string, clock: Clock): string {
  const hours = intArray(expand(HOUR_WEIGHTS));
  const raw = `((${clock.dayIndex} - ${dof})::bigint * ${DAY_MS} + (${hours})[1 + ${h} % ${expand(HOUR_WEIGHTS).length}]::bigint * 3600000 + (${h} >> 12) % 3600000)`;
  const today = Math.max(1, clock.nowMs - clock.dayStartMs);
  return `CASE WHEN ${raw} > ${clock.nowMs} THEN ${clock.dayStartMs} + (${h} >> 34) % ${today} ELSE ${raw} END`;
}

// Weekends are quieter: two thirds of Saturday's entries move to Friday, of Sunday's to Monday.
function weekdayShiftSql(dof0: string, h: string, clock: Clock): string {
  const dow = `((${clock.dayIndex} - ${dof0} + 4) % 7)`; // 1970-01-01 was a Thursday; 0 = Sunday
  return `CASE WHEN ${dow} = 6 AND ${h} % 3 <> 0 THEN least(${dof0} + 1, ${clock.days - 1})
    WHEN ${dow} = 0 AND ${h} % 3 <> 0 AND ${dof0} > 0 THEN ${dof0} - 1 ELSE ${dof0} END`;
}

function rowIdSql(plan: OrgPlan, seed: number): string {
  // md5 laid out as a version 4 UUID, so validators that check the version accept permalinks.
  return `md5(${lit(`${seed}:${plan.org.id}:`)} || i)`;
}

function uuidFromMd5(m: string): string {
  return `(substr(${m}, 1, 12) || '4' || substr(${m}, 14, 3) || substr('89ab', 1 + ascii(substr(${m}, 17, 1)) % 4, 1) || substr(${m}, 18))::uuid`;
}

function fill(template: string, plan: OrgPlan): string {
  return `replace(replace(replace(replace(replace(${template}, '{t}', coalesce(tname, '')), '{env}', env), '{v}', va), '{x}', coalesce(x, '')), '{domain}', ${lit(plan.org.domain)})`;
}

function peopleArrays(plan: OrgPlan) {
  return {
    ids: textArray(plan.people.map((p) => p.id)),
    names: textArray(plan.people.map((p) => p.name)),
    emails: textArray(plan.people.map((p) => p.email.toLowerCase())),
    count: Math.max(1, plan.people.length),
  };
}

function syntheticSql(pn: string, plan: OrgPlan) {
  const first = `(${textArray(FIRST_NAMES)})[1 + ${pn} % ${FIRST_NAMES.length}]`;
  // (pn % F, (17 pn + pn / F) % L) is one-to-one below F * L, and neighbours get different surnames.
  const last = `(${textArray(LAST_NAMES)})[1 + (17 * ${pn} + ${pn} / ${FIRST_NAMES.length}) % ${LAST_NAMES.length}]`;
  return {
    id: `'u_' || (1001 + ${pn})`,
    name: `${first} || ' ' || ${last}`,
    email: `lower(${first}) || '.' || lower(${last}) || ${lit(`@${plan.org.domain}`)}`,
  };
}

function burstFilterSql(plan: OrgPlan): string {
  if (plan.burstPeriod === 0) return "true";
  return `NOT (i % ${plan.burstPeriod} >= ${plan.burstOffset} AND i % ${plan.burstPeriod} < ${plan.burstOffset + BURST_ROWS})`;
}

// ---------------------------------------------------------------------------------------------
// The main statement: rows lo..hi (inclusive) of one organization, bursts excluded.

/** Where a statement writes, and optionally the time window [from, to) of the rows it keeps. */
interface Destination {
  table: string;
  window?: { fromMs: number; toMs: number };
}

function windowSql(dest: Destination): string {
  const where = dest.window ? `\nWHERE f.occ >= ${dest.window.fromMs} AND f.occ < ${dest.window.toMs}` : "";
  // Into the live table, a rerun with the same seed finds its rows there and adds nothing.
  return dest.table === "audit_logs" ? `${where}\nON CONFLICT DO NOTHING` : where;
}

function chunkSql(plan: OrgPlan, clock: Clock, seed: number, lo: number, hi: number, dest: Destination): string {
  const H = hashOf(plan);
  const n = plan.rows;
  const real = peopleArrays(plan);
  const hasReal = plan.people.length > 0;
  const privIdx = intArray(plan.privileged.length > 0 ? plan.privileged : [1]);
  const actorSynthetic = syntheticSql("pn", plan);
  const targetSynthetic = syntheticSql("tpn", plan);
  const oi = plan.index;

  return `INSERT INTO ${dest.table} (${AUDIT_COLUMNS})
SELECT ${lit(plan.org.id)}::uuid, ${uuidFromMd5("m")},
  timestamptz 'epoch' + occ * interval '1 millisecond',
  timestamptz 'epoch' + (occ + 40 + r1 % CASE WHEN client = 'api' THEN 4000 ELSE 1200 END) * interval '1 millisecond',
  aid, aname, aemail, cat::audit_category, act, ${fill("descr", plan)},
  ttype, tid, tname, res::audit_result,
  (CASE WHEN notice OR (cat = 'auth' AND res = 'failed') THEN 'notice' ELSE 'information' END)::audit_level,
  svc, ip::inet, ua, 'req_' || lpad(to_hex(${H("ck", 50)}), 16, '0'),
  CASE WHEN op THEN 'op_' || substr(lpad(to_hex(${H("ck", 51)}), 16, '0'), 5, 12) END,
  ${kindCase("params")},
  CASE WHEN res = 'done' THEN ${kindCase("before")} END,
  CASE WHEN res = 'done' THEN ${kindCase("after")} END,
  CASE WHEN res = 'failed' THEN ecodes[eidx] END,
  CASE WHEN res = 'failed' THEN ${fill("emsgs[eidx]", plan)} END
FROM (
  SELECT e.*,
    ${kindCase("x")} AS x,
    CASE tref WHEN 'self' THEN aemail WHEN 'user' THEN tuemail WHEN 'organization' THEN ${lit(plan.name)}
      WHEN 'pool' THEN replace(replace(tnames[pidx], '{domain}', ${lit(plan.org.domain)}), '{n}', n3::text) END AS tname,
    CASE tref WHEN 'self' THEN aid WHEN 'user' THEN tuid WHEN 'organization' THEN ${lit(plan.org.id)}
      WHEN 'pool' THEN replace(tids[pidx], '{n}', n3::text) END AS tid,
    CASE WHEN op THEN least(ms, ${clock.nowMs} - d1 - d2 - 1000 - c5 % 50000)
      + CASE s WHEN 0 THEN 0 WHEN 1 THEN d1 ELSE d1 + d2 END ELSE ms END AS occ,
    CASE WHEN akind = 0 THEN '10.' || ${20 + (oi % 200)} || '.' || ((c5 >> 8) % 8) || '.' || (2 + (c5 >> 12) % 250)
      WHEN client = 'api' THEN '192.0.2.' || (100 + (ph >> 8) % 40)
      WHEN r1 % 100 < 8 THEN CASE WHEN (r1 >> 8) % 4 = 0
        THEN '2001:db8:' || to_hex(256 + (r1 >> 12) % 3000) || '::' || to_hex(1 + (r1 >> 24) % 65000)
        ELSE '203.0.113.' || (1 + (r1 >> 12) % 139) END
      WHEN ph % 100 < 40 THEN CASE WHEN (ph >> 8) % 5 = 0
        THEN '2001:db8:' || to_hex(${40960 + (oi % 4096)}) || '::1' ELSE '198.51.100.' || ${10 + (oi % 40)} END
      WHEN (ph >> 8) % 100 < 20
        THEN '2001:db8:' || to_hex(1 + (ph >> 16) % 4095) || ':' || to_hex((ph >> 28) % 65535) || '::' || to_hex(1 + (ph >> 44) % 65535)
      WHEN (ph >> 16) % 2 = 0 THEN '192.0.2.' || (1 + (ph >> 20) % 95)
      ELSE '198.51.100.' || (100 + (ph >> 20) % 150) END AS ip,
    CASE WHEN akind = 0 THEN CASE WHEN cat = 'webhook' THEN ${lit(WEBHOOK_AGENT)}
        ELSE (${textArray(PLATFORM_AGENTS)})[1 + (c5 >> 20) % ${PLATFORM_AGENTS.length}] END
      WHEN client = 'api' THEN (${textArray(API_CLIENTS)})[1 + (ph >> 24) % ${API_CLIENTS.length}]
      WHEN client = 'cli' OR (client = 'mixed' AND r1 % 100 < 35) THEN 'kiops-cli/2.' || ((ph >> 24) % 6) || '.' || ((ph >> 30) % 4)
      ELSE (${textArray(BROWSERS)})[1 + (ph >> 32) % ${BROWSERS.length}] END AS ua,
    ${rowIdSql(plan, seed)} AS m
  FROM (
    SELECT d.*,
      CASE akind WHEN 1 THEN (${real.ids})[ridx] WHEN 2 THEN ${actorSynthetic.id} END AS aid,
      CASE akind WHEN 1 THEN (${real.names})[ridx] WHEN 2 THEN ${actorSynthetic.name} END AS aname,
      CASE akind WHEN 1 THEN (${real.emails})[ridx] WHEN 2 THEN ${actorSynthetic.email} END AS aemail,
      CASE WHEN treal THEN (${real.ids})[tridx] ELSE ${targetSynthetic.id} END AS tuid,
      CASE WHEN treal THEN (${real.emails})[tridx] ELSE ${targetSynthetic.email} END AS tuemail,
      ${H("CASE akind WHEN 1 THEN 100000 + ridx WHEN 2 THEN pn ELSE -1 END", 40)} AS ph,
      ${instantSql("dof", "t1", clock)} AS ms,
      vmaj || '.' || vmin || '.' || vpat AS vb,
      CASE WHEN (c3 >> 40) % 3 = 0 THEN vmaj || '.' || (vmin + 1) || '.0' ELSE vmaj || '.' || vmin || '.' || (vpat + 1) END AS va,
      lpad(to_hex(${H("ck", 52)}), 16, '0') AS hx
    FROM (
      SELECT c.*, t.*,
        CASE WHEN c2 % 1000 < sys THEN 0
          WHEN ${hasReal} AND (c2 >> 10) % 1000 < ${REAL_PEOPLE_PERMILLE} AND (NOT priv OR ${plan.privileged.length > 0}) THEN 1
          ELSE 2 END AS akind,
        CASE WHEN priv THEN (${privIdx})[1 + (c2 >> 20) % ${Math.max(1, plan.privileged.length)}]
          ELSE 1 + (c2 >> 20) % ${real.count} END AS ridx,
        CASE WHEN priv THEN ((c2 >> 20) % ${plan.opsTeam})::int
          ELSE least(${plan.population - 1}, floor(${plan.population} * power(((c2 >> 20) % 1000000)::float8 / 1000000, 1.4))::int) END AS pn,
        ${hasReal} AND c4 % 100 < 35 AS treal,
        1 + (c4 >> 8) % ${real.count} AS tridx,
        (c4 >> 20) % ${plan.population} AS tpn,
        1 + c4 % tcount AS pidx,
        100 + (c4 >> 8) % 900 AS n3,
        (${textArray(ENVIRONMENTS)})[1 + (c3 >> 10) % ${ENVIRONMENTS.length}] AS env,
        1 + (c3 >> 20) % 4 AS vmaj, (c3 >> 24) % 30 AS vmin, (c3 >> 32) % 12 AS vpat,
        (c4 >> 30) % 1000 AS na, (c4 >> 40) % 1000 AS nb, (c5 >> 30) % 1000 AS nc,
        CASE WHEN op THEN CASE s WHEN 0 THEN 'pending' WHEN 1 THEN 'processing'
            ELSE CASE WHEN c3 % 1000 < fail THEN 'failed' ELSE 'done' END END
          WHEN c3 % 1000 < fail THEN 'failed' ELSE 'done' END AS res,
        1 + c5 % CASE WHEN op THEN ena ELSE en END AS eidx,
        2000 + c5 % 28000 AS d1,
        dmin + (c5 >> 16) % (dmax - dmin + 1) AS d2,
        ${weekdayShiftSql("dof0", "t1", clock)} AS dof
      FROM (
        SELECT i, s, op, ck,
          ${H("ck", 10)} AS c1, ${H("ck", 11)} AS c2, ${H("ck", 12)} AS c3, ${H("ck", 13)} AS c4, ${H("ck", 14)} AS c5,
          ${H("i", 20)} AS r1, ${H("tk", 30)} AS t1,
          ${dayOffsetSql("tk", plan, clock)} AS dof0
        FROM (
          SELECT i, s, blk AND s < keep AS op,
            CASE WHEN blk AND s < keep THEN -1 - k ELSE i END AS ck,
            CASE WHEN blk AND s < keep THEN 3 * k ELSE i END AS tk
          FROM (
            SELECT i, k, s,
              3 * k + 2 < ${n} AND ${H("k", 1)} % 1000 < ${ASYNC_PERMILLE} AS blk,
              CASE WHEN ${dayOffsetSql("3 * k", plan, clock)} = 0 AND ${H("k", 2)} % 100 < 40
                THEN 1 + (${H("k", 2)} / 100) % 2 ELSE 3 END AS keep
            FROM (SELECT i, i / 3 AS k, i % 3 AS s FROM generate_series(${lo}::bigint, ${hi}::bigint) AS g(i)
                  WHERE ${burstFilterSql(plan)}) a
            OFFSET 0
          ) b
          OFFSET 0
        ) c0
        OFFSET 0
      ) c
      JOIN ${templateValues()}
        ON t.tpl = CASE WHEN c.op THEN (${intArray(ASYNC_PICK)})[1 + c.c1 % ${ASYNC_PICK.length}]
                        ELSE (${intArray(SINGLE_PICK)})[1 + c.c1 % ${SINGLE_PICK.length}] END
      OFFSET 0
    ) d
    OFFSET 0
  ) e
  OFFSET 0
) f${windowSql(dest)}`;
}

// ---------------------------------------------------------------------------------------------
// Sign-in attacks: for each period, rows offset..offset+68 of the period.

function burstSql(plan: OrgPlan, clock: Clock, seed: number, dest: Destination): string | null {
  if (plan.burstPeriod === 0) return null;
  const H = hashOf(plan);
  const P = plan.burstPeriod;
  const episodes = Math.floor((plan.rows - 1) / P);
  const real = peopleArrays(plan);
  const hasReal = plan.people.length > 0;
  const synthetic = syntheticSql("pn", plan);
  const guessed = `(${textArray(GUESSED_LOCAL_PARTS)})[1 + (g >> 8) % ${GUESSED_LOCAL_PARTS.length}]
    || CASE WHEN (g >> 16) % 3 = 0 THEN ((g >> 20) % 100)::text ELSE '' END || ${lit(`@${plan.org.domain}`)}`;
  const dof0 = dayOffsetSql(`(e * ${P} + ${plan.burstOffset})`, plan, clock);

  return `INSERT INTO ${dest.table} (${AUDIT_COLUMNS})
SELECT ${lit(plan.org.id)}::uuid, ${uuidFromMd5("m")},
  timestamptz 'epoch' + occ * interval '1 millisecond',
  timestamptz 'epoch' + (occ + 30 + g % 400) * interval '1 millisecond',
  aid, aname, aemail, 'auth'::audit_category, 'login', 'sign in with password',
  'user', aid, coalesce(aemail, guess), 'failed'::audit_result, 'notice'::audit_level, 'Sign-in',
  ip::inet, ua, 'req_' || lpad(to_hex(${H("i", 50)}), 16, '0'), NULL,
  jsonb_build_object('email', coalesce(aemail, guess), 'method', 'password'), NULL, NULL,
  CASE WHEN spray AND j >= 30 THEN 'rate_limited' WHEN NOT spray AND j - ${SPRAY_ROWS} >= 20 THEN 'account_locked'
    ELSE 'invalid_credentials' END,
  CASE WHEN spray AND j >= 30 THEN 'Too many failed sign-ins from this address; blocked for 15 minutes'
    WHEN NOT spray AND j - ${SPRAY_ROWS} >= 20 THEN 'Too many failed attempts; sign-in locked for 15 minutes'
    ELSE 'Invalid email or password' END
FROM (
  SELECT b.*,
    CASE akind WHEN 1 THEN (${real.ids})[ridx] WHEN 2 THEN ${synthetic.id} END AS aid,
    CASE akind WHEN 1 THEN (${real.names})[ridx] WHEN 2 THEN ${synthetic.name} END AS aname,
    CASE akind WHEN 1 THEN (${real.emails})[ridx] WHEN 2 THEN ${synthetic.email} END AS aemail,
    ${guessed} AS guess,
    CASE WHEN spray THEN base + j * 13000 + g % 6000
      ELSE base + 660000 + (j - ${SPRAY_ROWS}) * 70000 + g % 20000 END AS occ,
    CASE WHEN spray THEN '203.0.113.' || (150 + ${H("e", 62)} % 100)
      WHEN q < 3 THEN '198.51.100.' || (50 + (${H("e", 65)} + q * 17) % 50)
      WHEN q < 5 THEN '192.0.2.' || (140 + (${H("e", 65)} + q * 29) % 115)
      ELSE '2001:db8:bad0::' || to_hex(1 + (${H("e", 65)} >> 20) % 65000) END AS ip,
    CASE WHEN spray THEN (${textArray(ATTACK_AGENTS)})[1 + e % ${ATTACK_AGENTS.length}]
      ELSE (${textArray(BROWSERS)})[1 + (${H("e", 66)} + q) % ${BROWSERS.length}] END AS ua,
    ${rowIdSql(plan, seed)} AS m
  FROM (
    SELECT a.*,
      CASE WHEN spray AND g % 100 < 40 THEN 0
        WHEN spray THEN CASE WHEN ${hasReal} AND (g >> 8) % 100 < 30 THEN 1 ELSE 2 END
        WHEN ${hasReal} AND e % 2 = 0 THEN 1 ELSE 2 END AS akind,
      CASE WHEN spray THEN 1 + (g >> 24) % ${real.count} ELSE 1 + (e / 2) % ${real.count} END AS ridx,
      CASE WHEN spray THEN (g >> 32) % ${plan.population} ELSE ${H("e", 64)} % ${plan.population} END AS pn,
      least(${instantSql(weekdayShiftSql("dof0", "te", clock), "te", clock)}, ${clock.nowMs - 45 * 60_000}) AS base
    FROM (
      SELECT e, j, i, j < ${SPRAY_ROWS} AS spray, (j - ${SPRAY_ROWS}) % 6 AS q,
        ${H("i", 63)} AS g, ${H("e", 60)} AS te, ${dof0} AS dof0
      FROM (SELECT e, j, e * ${P} + ${plan.burstOffset} + j AS i
            FROM generate_series(0::bigint, ${episodes}::bigint) AS e, generate_series(0, ${BURST_ROWS - 1}) AS j) r
      WHERE i < ${plan.rows}
      OFFSET 0
    ) a
    OFFSET 0
  ) b
  OFFSET 0
) f${windowSql(dest)}`;
}

// ---------------------------------------------------------------------------------------------
// Sessions. Each worker is one session, so its settings apply to everything it runs.

interface Session {
  run(text: string): Promise<number>;
  rows<T>(text: string): Promise<T[]>;
  end(): Promise<void>;
}

/*
 * Session settings for a bulk load on a server: index builds and the trigram index's pending
 * list get memory, and commits need not wait for the WAL flush (a crash mid-seed loses the last
 * statement at worst, and the seed is rerun).
 */
const SERVER_SETTINGS = [
  "SET synchronous_commit = off",
  "SET work_mem = '256MB'",
  "SET maintenance_work_mem = '512MB'",
  "SET gin_pending_list_limit = '128MB'",
];

async function openSession(handle: DatabaseHandle): Promise<Session> {
  if (handle.kind === "postgres") {
    const conn = await handle.sql.reserve();
    try {
      for (const setting of SERVER_SETTINGS) await conn.unsafe(setting);
    } catch (err) {
      conn.release();
      throw err;
    }
    return {
      run: async (text) => (await conn.unsafe(text)).count,
      rows: async <T>(text: string) => [...(await conn.unsafe(text))] as T[],
      end: async () => {
        // The connection goes back to the application's pool: leave no seed settings behind.
        try {
          await conn.unsafe("RESET ALL");
        } finally {
          conn.release();
        }
      },
    };
  }
  // PGlite is one session shared with the application: it keeps its default settings.
  const client = handle.client;
  return {
    run: async (text) => (await client.query(text)).affectedRows ?? 0,
    rows: async <T>(text: string) => (await client.query<T>(text)).rows,
    end: async () => {},
  };
}

type Task = (session: Session, onRows: (rows: number) => void) => Promise<void>;

/** Runs the tasks on `workers` sessions at once; stops handing out work at the first error. */
async function runAll(handle: DatabaseHandle, tasks: readonly Task[], workers: number, onRows: (rows: number) => void) {
  let next = 0;
  let failed = false;
  const work = async () => {
    const session = await openSession(handle);
    try {
      while (!failed && next < tasks.length) await tasks[next++]!(session, onRows);
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      await session.end();
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(workers, tasks.length) }, work));
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (rejected) throw rejected.reason;
}

// ---------------------------------------------------------------------------------------------
// Months. On a server each monthly partition is one task.

interface Month {
  /** Partition name, as audit_ensure_partitions() names it. */
  partition: string;
  fromMs: number;
  toMs: number;
}

function monthsCovering(clock: Clock): Month[] {
  const months: Month[] = [];
  const first = new Date(clock.nowMs - clock.days * DAY_MS);
  for (let m = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1); m <= clock.nowMs;) {
    const d = new Date(m);
    const toMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    const suffix = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
    months.push({ partition: `audit_logs_p${suffix}`, fromMs: m, toMs });
    m = toMs;
  }
  return months;
}

/**
 * Row numbers of `plan` that can fall into [fromMs, toMs): the inverse of dayOffsetSql, widened by
 * two days for the weekend shift and the asynchronous steps, and by a block. The statements keep
 * exactly the rows whose time is inside the window, so the widening costs a few rows, no more.
 */
function rowRange(plan: OrgPlan, clock: Clock, fromMs: number, toMs: number): [number, number] | null {
  const newest = Math.max(0, clock.dayIndex - Math.floor((toMs - 1) / DAY_MS) - 2);
  const oldest = Math.min(clock.days - 1, clock.dayIndex - Math.floor(fromMs / DAY_MS) + 2);
  if (newest > oldest) return null;
  const n = plan.rows;
  const lo = Math.max(0, Math.floor(n * (1 - ((oldest + 1) / clock.days) ** (2 / 3))) - 4);
  const hi = Math.min(n - 1, Math.ceil(n * (1 - (newest / clock.days) ** (2 / 3))) + 4);
  return lo <= hi ? [lo, hi] : null;
}

function* chunksOf(lo: number, hi: number, size: number): Generator<[number, number]> {
  for (let a = lo; a <= hi; a += size) yield [a, Math.min(hi, a + size - 1)];
}

// ---------------------------------------------------------------------------------------------
// Bulk load of an empty monthly partition: fill a plain table, build the partition's indexes on
// it in one pass each, and swap it in for the empty partition. Building an index over a month
// costs a fraction of maintaining it row by row (the trigram GIN index above all), and the
// result is the same partition: same name, bounds, index names and definitions.

interface IndexDef {
  name: string;
  def: string;
  primaryKey: string | null;
}

interface PartitionInfo {
  bound: string;
  empty: boolean;
  indexes: IndexDef[];
}

async function partitionInfo(session: Session, partition: string): Promise<PartitionInfo | null> {
  const [row] = await session.rows<{ bound: string | null; empty: boolean }>(
    `SELECT pg_get_expr(c.relpartbound, c.oid) AS bound, NOT EXISTS (SELECT 1 FROM ${partition}) AS empty
     FROM pg_class c JOIN pg_inherits h ON h.inhrelid = c.oid
     WHERE c.oid = to_regclass(${lit(partition)}) AND h.inhparent = 'audit_logs'::regclass`,
  );
  if (!row?.bound) return null;
  const indexes = await session.rows<IndexDef>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def,
       (SELECT conname FROM pg_constraint WHERE conindid = i.indexrelid AND contype = 'p') AS "primaryKey"
     FROM pg_index i WHERE i.indrelid = ${lit(partition)}::regclass ORDER BY i.indisprimary DESC, 1`,
  );
  return { bound: row.bound, empty: row.empty, indexes };
}

// pg_get_indexdef gives "CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING ..."; the same
// index is built on the staging table under a temporary name.
function retarget(def: string, tempName: string, stage: string): string | null {
  const m = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$/s.exec(def);
  return m ? `CREATE ${m[1] ?? ""}INDEX ${tempName} ON ${stage} ${m[2]}` : null;
}

async function swapIn(session: Session, month: Month, info: PartitionInfo, stage: string, temp: string[]) {
  await session.run("BEGIN");
  try {
    // Detaching locks the whole table: rather give up and insert through it than wait on a
    // long-running reader indefinitely.
    await session.run("SET LOCAL lock_timeout = '2min'");
    await session.run(`ALTER TABLE audit_logs DETACH PARTITION ${month.partition}`);
    // Checked under the lock: rows written since the look before mean it is not ours to replace.
    const [check] = await session.rows<{ empty: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM ${month.partition}) AS empty`,
    );
    if (!check?.empty) throw new Error(`${month.partition} is no longer empty`);
    await session.run(`DROP TABLE ${month.partition}`);
    await session.run(`ALTER TABLE ${stage} RENAME TO ${month.partition}`);
    for (const [k, index] of info.indexes.entries()) {
      await session.run(
        index.primaryKey
          ? `ALTER TABLE ${month.partition} ADD CONSTRAINT ${index.primaryKey} PRIMARY KEY USING INDEX ${temp[k]}`
          : `ALTER INDEX ${temp[k]} RENAME TO ${index.name}`,
      );
    }
    // The check constraint spares ATTACH a scan of the month to prove the rows belong in it.
    await session.run(
      `ALTER TABLE ${month.partition} ADD CONSTRAINT ${stage}_range CHECK (occurred_at >= ${timestampLit(month.fromMs)} AND occurred_at < ${timestampLit(month.toMs)})`,
    );
    await session.run(`ALTER TABLE audit_logs ATTACH PARTITION ${month.partition} ${info.bound}`);
    await session.run(`ALTER TABLE ${month.partition} DROP CONSTRAINT ${stage}_range`);
    // Rows that arrive by ATTACH pass no trigger: the hourly roll-up learns of them here.
    await session.run(
      `INSERT INTO audit_log_hourly (org_id, hour, category, result, level, n, folded)
       SELECT org_id, date_bin('1 hour', occurred_at, timestamptz '2000-01-01 00:00:00+00'), category, result, level, count(*), true
       FROM ${month.partition} GROUP BY 1, 2, 3, 4, 5`,
    );
    await session.run("COMMIT");
  } catch (err) {
    await session.run("ROLLBACK");
    throw err;
  }
}

function timestampLit(ms: number): string {
  return `${lit(new Date(ms).toISOString())}::timestamptz`;
}

function monthTask(plans: readonly OrgPlan[], clock: Clock, seed: number, month: Month, chunkSize: number): Task {
  const window = { fromMs: month.fromMs, toMs: month.toMs };
  const statements = (table: string) =>
    plans.flatMap((plan) => {
      const range = rowRange(plan, clock, month.fromMs, month.toMs);
      const chunks = range ? [...chunksOf(range[0], range[1], chunkSize)] : [];
      const dest = { table, window };
      const bursts = burstSql(plan, clock, seed, dest);
      return [
        ...chunks.map(
          ([lo, hi]) =>
            () =>
              chunkSql(plan, clock, seed, lo, hi, dest),
        ),
        ...(bursts ? [() => bursts] : []),
      ];
    });

  return async (session, onRows) => {
    const info = await partitionInfo(session, month.partition);
    const defs = info?.empty
      ? info.indexes.map((d, k) => retarget(d.def, `${month.partition}_seed_i${k}`, `${month.partition}_seed`))
      : [];
    if (!info?.empty || defs.length === 0 || defs.some((d) => d === null)) {
      // Rows already there (a second seed, live data) or no partition: insert through the parent.
      for (const statement of statements("audit_logs")) onRows(await session.run(statement()));
      return;
    }
    const stage = `${month.partition}_seed`;
    await session.run(`DROP TABLE IF EXISTS ${stage}`);
    await session.run(`CREATE TABLE ${stage} (LIKE audit_logs INCLUDING DEFAULTS)`);
    let loaded = 0;
    for (const statement of statements(stage)) loaded += await session.run(statement());
    for (const def of defs) await session.run(def!);
    try {
      await swapIn(
        session,
        month,
        info,
        stage,
        info.indexes.map((_, k) => `${month.partition}_seed_i${k}`),
      );
    } catch {
      // Someone wrote into the month meanwhile, or the default partition holds rows of it: the
      // rows go in through the parent after all.
      loaded = await session.run(`INSERT INTO audit_logs SELECT * FROM ${stage} ON CONFLICT DO NOTHING`);
      await session.run(`DROP TABLE ${stage}`);
    }
    onRows(loaded);
  };
}

// ---------------------------------------------------------------------------------------------

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function validate(opts: SeedAuditRowsOptions, days: number): void {
  if (!Number.isSafeInteger(opts.rows) || opts.rows < 0)
    throw new Error("seedAuditRows: rows must be a whole number >= 0");
  if (!Number.isSafeInteger(opts.seed) || Math.abs(opts.seed) > 2 ** 40)
    throw new Error("seedAuditRows: seed must be an integer below 2^40");
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new Error("seedAuditRows: days must be between 1 and 3650");
  if (Number.isNaN(opts.now.getTime())) throw new Error("seedAuditRows: now is not a valid date");
  for (const org of opts.orgs) {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(org.id))
      throw new Error(`seedAuditRows: ${org.id} is not a uuid`);
  }
}

// Pending trigram entries must not outlive the seed: every search reads them sequentially.
const CLEAN_PENDING_LISTS = `SELECT count(gin_clean_pending_list(i.indexrelid::regclass))
  FROM pg_inherits h JOIN pg_index i ON i.indexrelid = h.inhrelid
  WHERE h.inhparent = 'audit_logs_search_trgm_idx'::regclass`;

export async function seedAuditRows(handle: DatabaseHandle, opts: SeedAuditRowsOptions): Promise<SeedAuditRowsResult> {
  const started = performance.now();
  const days = opts.days ?? 400;
  validate(opts, days);
  const nowMs = opts.now.getTime();
  const dayIndex = Math.floor(nowMs / DAY_MS);
  const clock: Clock = { nowMs, dayIndex, dayStartMs: dayIndex * DAY_MS, days };
  const plans = planOrgs(opts).filter((p) => p.rows > 0);
  const server = handle.kind === "postgres";
  const chunkSize = opts.chunkSize ?? (server ? 250_000 : 50_000);

  const setup = await openSession(handle);
  try {
    await setup.run(
      `SELECT audit_ensure_partitions('audit_logs', ${lit(isoDate(nowMs - days * DAY_MS))}::date, ${lit(isoDate(nowMs))}::date)`,
    );
  } finally {
    await setup.end();
  }

  let tasks: Task[];
  if (server) {
    // Largest months first, so two sessions finish together.
    const size = (m: Month) =>
      plans.reduce((sum, p) => {
        const range = rowRange(p, clock, m.fromMs, m.toMs);
        return sum + (range ? range[1] - range[0] : 0);
      }, 0);
    const months = monthsCovering(clock).sort((a, b) => size(b) - size(a));
    tasks = months.map((month) => monthTask(plans, clock, opts.seed, month, chunkSize));
  } else {
    // Embedded: a demo-sized seed, inserted straight through the parent, oldest first.
    tasks = plans.flatMap((plan) => {
      const dest = { table: "audit_logs" };
      const bursts = burstSql(plan, clock, opts.seed, dest);
      const statements = [...chunksOf(0, plan.rows - 1, chunkSize)].map(([lo, hi]) =>
        chunkSql(plan, clock, opts.seed, lo, hi, dest),
      );
      return [...statements, ...(bursts ? [bursts] : [])].map(
        (text): Task =>
          async (session, onRows) =>
            onRows(await session.run(text)),
      );
    });
  }

  let inserted = 0;
  const workers = server ? Math.max(1, opts.parallel ?? 2) : 1;
  await runAll(handle, tasks, workers, (rows) => {
    inserted += rows;
    opts.onProgress?.(inserted, opts.rows);
  });

  const finish = await openSession(handle);
  try {
    await finish.run(CLEAN_PENDING_LISTS);
    await finish.run("ANALYZE audit_logs");
  } finally {
    await finish.end();
  }
  return { inserted, ms: Math.round(performance.now() - started) };
}
