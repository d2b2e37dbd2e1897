import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";
import { auditLogs, auditLogsArchive, memberships, organizations, users } from "@/db/schema";
import { sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";
import { decodeCursor, encodeCursor } from "@/lib/audit-log/cursor";
import { countMatching } from "@/lib/audit-log/counts";
import {
  getEntryDetails,
  getTimeline,
  listAuditEntries,
  locateEntry,
  NEWEST_ROWS_WALKED,
  type AuditPage,
} from "@/lib/audit-log/entries";
import { searchOrgUsers } from "@/lib/audit-log/people-search";
import {
  PAGE_SIZES,
  SORT_DIRECTIONS,
  SORT_KEYS,
  parseExplorerParams,
  serializeExplorerParams,
  type ExplorerParams,
  type RawSearchParams,
  type SortDirection,
  type SortKey,
} from "@/lib/audit-log/search-params";
import {
  parseSearchQuery,
  type IpValue,
  type SearchFilter,
  type SearchQuery,
  type SearchTerm,
} from "@/lib/audit-log/search-language";
import { pivotLinks, type PivotField } from "@/lib/audit-log/pivots";
import { explorerHref } from "@/lib/audit-log/search-params";

/*
 * The explorer's data layer against a real database (PGlite, or the server named by
 * TEST_DATABASE_URL). Every listing is checked against an independent model: the seeded rows,
 * read back as plain rows, filtered and sorted in JavaScript by the matching rules written out
 * below (not by the SQL builders), then walked page by page in both directions.
 */

const DAY = 86_400_000;
const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);

const ORG_A = "00000000-0000-4000-8000-00000000000a";
const ORG_B = "00000000-0000-4000-8000-00000000000b";

/* ------------------------------------------------------------------------------------------ */
/* Seed                                                                                         */
/* ------------------------------------------------------------------------------------------ */

function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const chance = (p: number) => next() < p;
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => int(16).toString(16)).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${"89ab"[int(4)]}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  return { next, int, pick, chance, uuid };
}

type Actor = { id: string | null; name: string | null; email: string | null };

const ACTORS: readonly Actor[] = [
  { id: "u_1", name: "Kim Lee", email: "kim@acme.test" },
  { id: "u_2", name: "Ada Admin", email: "Admin@Acme.test" },
  { id: "u_3", name: "Bob", email: null },
  { id: "u_4", name: null, email: "ab@acme.test" },
  { id: "u_5", name: "zoë ångström", email: "zoe@acme.test" },
  { id: "u_6", name: "Al Kim", email: "al.kim@acme.test" },
  { id: "u_7", name: "100% Sure_Guy", email: "percent@acme.test" },
  { id: "u_8", name: "Back\\slash", email: "back\\slash@acme.test" },
  { id: "U_9", name: "Kimberly Stone", email: "kimberly@acme.test" },
];

const ACTIONS = [
  "create",
  "update",
  "delete",
  "Delete",
  "DELETE",
  "del",
  "deletion",
  "delete_profile",
  "Delete.User",
  "delete-key",
  "login",
  "export",
  "export user service (API v1/csv)",
  "deploy",
  "Ab",
] as const;

type Target = { type: string | null; id: string | null; name: string | null };
const TARGETS: readonly Target[] = [
  { type: "service", id: "svc_9", name: "checkout" },
  { type: "service", id: "svc_10", name: "Checkout" },
  { type: "database", id: "db_1", name: "CHECKOUT-db" },
  { type: "service", id: "SVC_11", name: "my-service" },
  { type: "user", id: "u_1", name: "Kim Lee" },
  { type: "secret", id: "sec_1", name: "ab" },
  { type: "file", id: "f_1", name: "Abacus" },
  { type: "thing", id: "id_only", name: null },
  { type: "webhook", id: "wh_1", name: "100%_off" },
  { type: "service", id: "svc_12", name: "zebra-stripes" },
];

const WORDS = [
  "service",
  "service",
  "service",
  "deploy",
  "checkout",
  "to",
  "production",
  "of",
  "x",
  "a",
  "config",
  "rotated",
  "key",
];
const IPS = [
  "203.0.113.7",
  "10.1.2.3",
  "10.200.0.1",
  "192.168.1.20",
  "2001:db8::1",
  "2001:db8:0:1::5",
  "::ffff:10.0.0.1",
  "fe80::1",
];
const SERVICES = ["Deployments", "Billing", "billing", "Auth", "Module X"];

type Insert = typeof auditLogs.$inferInsert;

function generateRows(orgId: string, count: number, seed: number): Insert[] {
  const r = prng(seed);
  // A pool of instants shared by several rows, so the id tiebreak decides their order.
  const shared = Array.from({ length: 40 }, () => NOW.getTime() - r.int(40 * DAY));
  const rows: Insert[] = [];
  for (let n = 0; n < count; n++) {
    const occurred = r.chance(0.3)
      ? shared[r.int(shared.length)]!
      : r.chance(0.02)
        ? NOW.getTime() + r.int(3_600_000) // a little ahead: clock skew
        : NOW.getTime() - r.int(40 * DAY);
    const actor = r.chance(0.15) ? null : r.pick(ACTORS);
    const target = r.chance(0.12) ? null : r.pick(TARGETS);
    const words = Array.from({ length: 1 + r.int(5) }, () => r.pick(WORDS));
    if (r.chance(0.02)) words.push("zebra");
    const correlation = r.chance(0.2) ? `op_${r.int(12)}` : null;
    rows.push({
      orgId,
      id: r.uuid(),
      occurredAt: new Date(occurred),
      // Some entries arrive after the export snapshot (NOW).
      receivedAt: new Date(
        r.chance(0.05) ? NOW.getTime() + 3_600_000 : Math.min(occurred + r.int(5000), NOW.getTime()),
      ),
      actorId: actor?.id ?? null,
      actorName: actor?.name ?? null,
      actorEmail: actor?.email ?? null,
      category: r.pick(auditCategory.enumValues),
      action: r.pick(ACTIONS),
      description: r.chance(0.1) ? null : words.join(" "),
      targetType: target?.type ?? null,
      targetId: target?.id ?? null,
      targetName: target?.name ?? null,
      result: r.pick(auditResult.enumValues),
      level: r.pick(auditLevel.enumValues),
      service: r.chance(0.2) ? null : r.pick(SERVICES),
      ip: r.chance(0.15) ? null : r.pick(IPS),
      userAgent: "kiops-cli/2.3",
      requestId: r.chance(0.2)
        ? null
        : r.chance(0.1)
          ? "REQ_%_SPECIAL"
          : `REQ_${r.int(1e9).toString(36).toUpperCase()}`,
      correlationId: correlation,
      params: r.chance(0.3) ? { env: "production", n } : null,
      before: null,
      after: null,
      errorCode: r.chance(0.1) ? "invalid_input" : null,
      errorMessage: null,
    });
  }
  return rows;
}

/* ------------------------------------------------------------------------------------------ */
/* The independent model                                                                        */
/* ------------------------------------------------------------------------------------------ */

interface ModelRow {
  id: string;
  occurredMs: number;
  receivedMs: number;
  actorId: string | null;
  actorName: string | null;
  actorEmail: string | null;
  category: string;
  action: string;
  description: string | null;
  targetId: string | null;
  targetName: string | null;
  result: string;
  level: string;
  service: string | null;
  ipHost: string | null;
  requestId: string | null;
  correlationId: string | null;
}

const lower = (v: string | null) => (v === null ? null : v.toLowerCase());

// The "C" collation orders by UTF-8 bytes.
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

// The type sort follows the labels' alphabetical order (Audit, Auth, Backup, …, DB Backup after
// Database), written out here rather than derived the way the code derives it.
const TYPE_LABEL_ORDER: readonly string[] = [
  "audit",
  "auth",
  "backup",
  "database",
  "db_backup",
  "device",
  "domain",
  "infra",
  "monitoring",
  "organization",
  "secret",
  "service",
  "system",
  "user",
  "vpn",
  "webhook",
];

function sortValue(row: ModelRow, sort: SortKey): string | number | null {
  switch (sort) {
    case "time":
      return null;
    case "user":
      return lower(row.actorEmail) ?? "";
    case "type":
      return TYPE_LABEL_ORDER.indexOf(row.category);
    case "action":
      return row.action;
    case "target":
      return row.targetName ?? "";
    case "result":
      return auditResult.enumValues.indexOf(row.result as never);
  }
}

function compareRows(a: ModelRow, b: ModelRow, sort: SortKey, dir: SortDirection): number {
  const ka = sortValue(a, sort);
  const kb = sortValue(b, sort);
  let c = 0;
  if (typeof ka === "number" && typeof kb === "number") c = ka - kb;
  else if (typeof ka === "string" && typeof kb === "string") c = byteCompare(ka, kb);
  if (c === 0) c = a.occurredMs - b.occurredMs;
  if (c === 0) c = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return dir === "asc" ? c : -c;
}

function searchTextOf(row: ModelRow): string {
  return [row.actorName, row.actorEmail, row.targetName, row.ipHost, row.description]
    .map((v) => v ?? "")
    .join(" ")
    .toLowerCase();
}

function termMatches(row: ModelRow, term: SearchTerm, anchored: boolean): boolean {
  if ([...term.text].length >= 3 || anchored)
    return searchTextOf(row).includes(term.text) || (lower(row.requestId)?.startsWith(term.text) ?? false);
  return (lower(row.actorEmail) ?? "").startsWith(term.text) || (lower(row.targetName)?.startsWith(term.text) ?? false);
}

function parseIp(text: string): { family: 4 | 6; value: bigint } {
  if (!text.includes(":")) {
    return { family: 4, value: text.split(".").reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n) };
  }
  let head = text;
  let v4tail: string | null = null;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    v4tail = text.slice(lastColon + 1);
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = "", right] = head.split("::");
  const l = left === "" ? [] : left.split(":");
  const rr = right === undefined || right === "" ? [] : right.split(":");
  const groups = right === undefined ? l : [...l, ...Array<string>(8 - l.length - rr.length).fill("0"), ...rr];
  let value = groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
  if (v4tail) value = (value & ~0xffffffffn) | parseIp(v4tail).value;
  return { family: 6, value };
}

function ipMatches(host: string | null, ip: IpValue): boolean {
  if (host === null) return false;
  const row = parseIp(host);
  const want = parseIp(ip.address);
  if (row.family !== ip.family) return false;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = ip.prefix ?? bits;
  const shift = BigInt(bits - prefix);
  return row.value >> shift === want.value >> shift;
}

function valueMatches(row: ModelRow, filter: SearchFilter, value: unknown): boolean {
  const prefixOrEquals = (column: string | null, v: string) => {
    if (column === null) return false;
    const c = column.toLowerCase();
    return v.length > 1 && v.endsWith("*") ? c.startsWith(v.slice(0, -1)) : c === v;
  };
  switch (filter.key) {
    case "type":
      return row.category === value;
    case "result":
      return row.result === value;
    case "level":
      return row.level === value;
    case "user": {
      const v = value as string;
      return v.includes("@") ? lower(row.actorEmail) === v : (lower(row.actorName)?.includes(v) ?? false);
    }
    case "action": {
      const v = value as string;
      const action = row.action.toLowerCase();
      if (filter.whole?.includes(v)) return action === v;
      const leadingWords =
        !(v.length > 1 && v.endsWith("*")) && ["_", ".", "-"].some((sep) => action.startsWith(v + sep));
      return leadingWords || prefixOrEquals(row.action, v);
    }
    case "resource":
      return prefixOrEquals(row.targetName, value as string) || prefixOrEquals(row.targetId, value as string);
    case "request_id":
      if (filter.whole?.includes(value as string)) return lower(row.requestId) === value;
      return lower(row.requestId)?.startsWith(value as string) ?? false;
    case "correlation_id":
      return row.correlationId === value;
    case "service":
      return lower(row.service) === value;
    case "ip":
      return ipMatches(row.ipHost, value as IpValue);
    case "created": {
      const range = value as { from: Date | null; fromInclusive: boolean; to: Date | null; toInclusive: boolean };
      const t = row.occurredMs;
      if (range.from && (range.fromInclusive ? t < range.from.getTime() : t <= range.from.getTime())) return false;
      if (range.to && (range.toInclusive ? t > range.to.getTime() : t >= range.to.getTime())) return false;
      return true;
    }
  }
}

function modelMatches(row: ModelRow, params: ExplorerParams, search: SearchQuery): boolean {
  const { from, to } = params.range;
  if (from !== null && row.occurredMs < Date.parse(from)) return false;
  if (to !== null && row.occurredMs >= Date.parse(to)) return false;
  if (params.type.length > 0 && !params.type.includes(row.category as never)) return false;
  if (params.result.length > 0 && !params.result.includes(row.result as never)) return false;
  if (params.user !== null) {
    if (params.user.includes("@") ? lower(row.actorEmail) !== params.user.toLowerCase() : row.actorId !== params.user)
      return false;
  }
  const anchored = search.terms.some((term) => term.text !== "" && !term.negated && [...term.text].length >= 3);
  for (const term of search.terms) if (termMatches(row, term, anchored) === term.negated) return false;
  for (const filter of search.filters) {
    const any = (filter.values as unknown[]).some((v) => valueMatches(row, filter, v));
    if (any === filter.negated) return false;
  }
  return true;
}

function expectedIds(rows: ModelRow[], params: ExplorerParams, search: SearchQuery): string[] {
  return rows
    .filter((r) => modelMatches(r, params, search))
    .sort((a, b) => compareRows(a, b, params.sort, params.dir))
    .map((r) => r.id);
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                      */
/* ------------------------------------------------------------------------------------------ */

let db: TestDatabase;
let modelA: ModelRow[];
let modelB: ModelRow[];

async function readModel(
  orgId: string,
  table: typeof auditLogs | typeof auditLogsArchive = auditLogs,
): Promise<ModelRow[]> {
  const rows = await db.handle.db
    .select({
      id: table.id,
      occurredAt: table.occurredAt,
      receivedAt: table.receivedAt,
      actorId: table.actorId,
      actorName: table.actorName,
      actorEmail: table.actorEmail,
      category: table.category,
      action: table.action,
      description: table.description,
      targetId: table.targetId,
      targetName: table.targetName,
      result: table.result,
      level: table.level,
      service: table.service,
      ipHost: sql<string | null>`host(${table.ip})`,
      requestId: table.requestId,
      correlationId: table.correlationId,
    })
    .from(table)
    .where(sql`${table.orgId} = ${orgId}`);
  return rows.map(({ occurredAt, receivedAt, ...rest }) => ({
    ...rest,
    occurredMs: occurredAt.getTime(),
    receivedMs: receivedAt.getTime(),
  }));
}

function setup(raw: RawSearchParams): { params: ExplorerParams; search: SearchQuery } {
  const { params, problems } = parseExplorerParams(raw, NOW);
  expect(problems).toEqual([]);
  const search = parseSearchQuery(params.q);
  expect(search.errors).toEqual([]);
  return { params, search };
}

async function walkForward(orgId: string, params: ExplorerParams, search: SearchQuery, start: AuditPage | null = null) {
  const pages: AuditPage[] = [];
  let page = start ?? (await listAuditEntries({ orgId: orgId, params: { ...params, cursor: null }, search: search }));
  pages.push(page);
  for (let guard = 0; page.hasNext; guard++) {
    expect(guard).toBeLessThan(500);
    expect(page.nextCursor).not.toBeNull();
    page = await listAuditEntries({ orgId: orgId, params: { ...params, cursor: page.nextCursor }, search: search });
    pages.push(page);
  }
  expect(page.nextCursor).toBeNull();
  return pages;
}

async function walkBackward(orgId: string, params: ExplorerParams, search: SearchQuery, start: AuditPage) {
  const pages: AuditPage[] = [start];
  let page = start;
  for (let guard = 0; page.hasPrev; guard++) {
    expect(guard).toBeLessThan(500);
    expect(page.prevCursor).not.toBeNull();
    page = await listAuditEntries({ orgId: orgId, params: { ...params, cursor: page.prevCursor }, search: search });
    pages.unshift(page);
  }
  expect(page.prevCursor).toBeNull();
  return pages;
}

const ids = (pages: AuditPage[]) => pages.flatMap((p) => p.entries.map((e) => e.id));

/** Every page forward, then every page back from the last, against the model. */
async function checkListing(raw: RawSearchParams, model: ModelRow[] = modelA, orgId = ORG_A): Promise<number> {
  const { params, search } = setup(raw);
  const expected = expectedIds(model, params, search);
  const forward = await walkForward(orgId, params, search);
  expect(ids(forward)).toEqual(expected);
  expect(forward[0]!.hasPrev).toBe(false);
  expect(forward[0]!.prevCursor).toBeNull();
  for (const page of forward.slice(0, -1)) expect(page.entries).toHaveLength(params.size);
  const backward = await walkBackward(orgId, params, search, forward[forward.length - 1]!);
  expect(backward.map((p) => p.entries.map((e) => e.id))).toEqual(forward.map((p) => p.entries.map((e) => e.id)));
  // Each page knows its place from the cursors alone, going forward and coming back.
  const places = forward.map((_, i) => (expected.length === 0 ? null : 1 + i * params.size));
  expect(forward.map((p) => p.firstPosition)).toEqual(places);
  expect(backward.map((p) => p.firstPosition)).toEqual(places);
  return expected.length;
}

/* ------------------------------------------------------------------------------------------ */
/* Tests                                                                                        */
/* ------------------------------------------------------------------------------------------ */

beforeAll(async () => {
  db = await createTestDatabase();
  const d = db.handle.db;
  await d.insert(organizations).values([
    { id: ORG_A, slug: "acme-x", name: "Acme X" },
    { id: ORG_B, slug: "globex-x", name: "Globex X" },
  ]);
  const people = [
    { id: "10000000-0000-4000-8000-000000000001", email: "kim@acme.test", name: "Kim Lee", orgs: [ORG_A] },
    { id: "10000000-0000-4000-8000-000000000002", email: "kimberly@acme.test", name: "Kimberly Stone", orgs: [ORG_A] },
    { id: "10000000-0000-4000-8000-000000000003", email: "joakim@acme.test", name: "Joakim Berg", orgs: [ORG_A] },
    { id: "10000000-0000-4000-8000-000000000004", email: "kim@globex.test", name: "Kim Other", orgs: [ORG_B] },
    { id: "10000000-0000-4000-8000-000000000005", email: "pat@acme.test", name: "Pat 100%", orgs: [ORG_A, ORG_B] },
  ];
  await d.insert(users).values(people.map(({ orgs: _orgs, ...u }) => u));
  await d
    .insert(memberships)
    .values(people.flatMap((p) => p.orgs.map((orgId) => ({ orgId, userId: p.id, role: "member" as const }))));
  const rowsA = generateRows(ORG_A, 640, 1);
  const rowsB = generateRows(ORG_B, 160, 2);
  for (const rows of [rowsA, rowsB]) {
    for (let i = 0; i < rows.length; i += 200) await d.insert(auditLogs).values(rows.slice(i, i + 200));
  }
  await d.insert(auditLogsArchive).values(generateRows(ORG_A, 60, 3));
  modelA = await readModel(ORG_A);
  modelB = await readModel(ORG_B);
});

afterAll(async () => {
  await db?.drop();
});

describe("seed", () => {
  it("has the variety the checks rely on", () => {
    expect(modelA).toHaveLength(640);
    const times = new Map<number, number>();
    for (const r of modelA) times.set(r.occurredMs, (times.get(r.occurredMs) ?? 0) + 1);
    expect([...times.values()].some((n) => n >= 3)).toBe(true);
    expect(modelA.some((r) => r.actorEmail === null && r.actorName === null)).toBe(true);
    expect(modelA.some((r) => r.targetName === null)).toBe(true);
    expect(modelA.some((r) => r.ipHost?.includes(":"))).toBe(true);
    expect(modelA.some((r) => r.occurredMs > NOW.getTime())).toBe(true);
  });
});

describe("listing: every sort in both directions, all pages both ways", () => {
  for (const sort of SORT_KEYS) {
    for (const dir of SORT_DIRECTIONS) {
      it(`sort=${sort} dir=${dir}`, async () => {
        const n = await checkListing({ period: "30d", sort, dir, size: "25" });
        expect(n).toBeGreaterThan(300);
      });
    }
  }
  it("custom period covering everything, size 100, sort=user asc", async () => {
    await checkListing({ period: "custom", from: "2000-01-01", sort: "user", dir: "asc", size: "100" });
  });
  it("the default view (7 days, time desc, 50 a page)", async () => {
    await checkListing({});
  });
});

describe("URL filters", () => {
  const cases: [string, RawSearchParams][] = [
    ["period=today", { period: "today" }],
    ["period=today in Tokyo", { period: "today", tz: "Asia/Tokyo" }],
    ["period=30d", { period: "30d", size: "25" }],
    ["period=24h", { period: "24h", size: "25" }],
    ["period=1h", { period: "1h" }],
    ["period=15m", { period: "15m" }],
    [
      "custom times of day without offset in a zone",
      { period: "custom", from: `${isoDay(-9)}T14:05`, to: `${isoDay(-2)}T14:20`, tz: "Asia/Tokyo", size: "25" },
    ],
    ["custom dates (inclusive days)", { period: "custom", from: isoDay(-20), to: isoDay(-10), size: "25" }],
    [
      "custom date-times",
      { period: "custom", from: `${isoDay(-20)}T06:30:00Z`, to: `${isoDay(-3)}T12:00:00+02:00`, size: "25" },
    ],
    [
      "custom date-time without offset in a zone",
      { period: "custom", from: `${isoDay(-9)}T08:00`, tz: "America/New_York", size: "25" },
    ],
    ["type one", { period: "30d", type: "auth", size: "25" }],
    ["type several", { period: "30d", type: "auth,vpn,db_backup", size: "25" }],
    ["result", { period: "30d", result: "failed", size: "25" }],
    ["type + result", { period: "30d", type: "service,user", result: "done,pending", size: "25" }],
    ["user by id", { period: "30d", user: "u_1", size: "25" }],
    ["user by id is exact", { period: "30d", user: "u_9", size: "25" }],
    ["user by email (stored mixed case)", { period: "30d", user: "ADMIN@acme.test", size: "25" }],
    ["user by email", { period: "30d", user: "kim@acme.test", size: "25" }],
  ];
  for (const [name, raw] of cases) {
    it(name, async () => {
      await checkListing(raw);
    });
  }
  it("sort=type follows the labels, both ways, with and without a type filter", async () => {
    await checkListing({ period: "30d", sort: "type", dir: "asc", size: "25" });
    await checkListing({ period: "30d", sort: "type", dir: "desc", size: "50" });
    await checkListing({ period: "30d", type: "device,audit,db_backup", sort: "type", dir: "desc", size: "25" });
    await checkListing({ period: "30d", q: "-type:auth", sort: "type", dir: "asc", size: "25" });
  });

  it("type=auth with sort=type and sort=user", async () => {
    await checkListing({ period: "30d", type: "auth,service", sort: "type", dir: "asc", size: "25" });
    await checkListing({ period: "30d", user: "kim@acme.test", sort: "user", size: "25" });
  });
});

function isoDay(offsetDays: number): string {
  return new Date(NOW.getTime() + offsetDays * DAY).toISOString().slice(0, 10);
}

describe("search language", () => {
  const queries: string[] = [
    // free words and phrases
    "checkout",
    "CHECKOUT",
    "-checkout",
    "service",
    "zebra",
    "-service",
    '"kim lee"',
    '"lee kim@acme"',
    '"deploy checkout"',
    '-"deploy checkout"',
    "100%",
    "sure_guy",
    "back\\slash",
    "2001:db8",
    "10.1",
    "req_%",
    // request ids match by their start, not anywhere inside
    "req_1",
    "REQ_A",
    "_special",
    "checkout service",
    "checkout -zebra",
    // short words: email or target-name prefixes
    "ab",
    "a",
    "ch",
    "-ab",
    // short words beside a long one: substrings, like the long one
    "to service",
    "service to",
    "ch checkout",
    "-to service",
    "ab -checkout",
    "k",
    "_",
    "%",
    "10",
    // user:
    "user:kim@acme.test",
    "user:admin@acme.test",
    "user:kim",
    "user:al",
    "user:kim user:ab@acme.test",
    "-user:kim@acme.test",
    "-user:kim -user:bob",
    "user:100%",
    // action:
    "action:delete",
    "action:del",
    "action:del*",
    'action:"export user service (api v1/csv)"',
    "-action:delete",
    "action:login action:export",
    "action:ab",
    "action:delete_profile",
    "action:delete.user",
    "action:delete action:login",
    "action:delete*",
    // quoted: the whole action only (what a facet link writes)
    'action:"delete"',
    'action:"Delete" action:update',
    '-action:"delete"',
    'action:"delete" action:delete',
    'action:"del*"',
    // resource: / target:
    "resource:checkout",
    "resource:svc_11",
    "target:checkout*",
    "resource:ab",
    "-resource:checkout",
    "resource:my-service resource:id_only",
    "resource:100%_off",
    // type: result: level:
    "type:auth",
    "type:auth type:vpn",
    "-type:auth",
    "type:db-backup",
    "-type:auth -type:vpn",
    "result:failed",
    "result:success",
    "-result:done",
    "level:notice",
    "-level:notice",
    // comma lists, as the URL's type= and result= take them
    "type:auth,vpn",
    "type:auth,db-backup,",
    "-result:done,failed",
    "level:notice,information",
    "result:failed,pending -type:auth,vpn",
    // correlation_id: as written
    "correlation_id:op_3",
    "-correlation_id:op_3",
    "correlation:OP_3",
    // request_id: service:
    "request_id:req_%_special",
    "-request_id:req_%_special",
    "request_id:req_",
    'request_id:"req_"',
    'request_id:"req_%_special"',
    "request_id:req_%",
    "service:billing",
    "-service:billing",
    'service:"module x"',
    // ip:
    "ip:10.1.2.3",
    "ip:10.0.0.0/8",
    "-ip:10.0.0.0/8",
    "ip:2001:db8::/32",
    "ip:::ffff:10.0.0.1",
    "ip:203.0.113.7 ip:fe80::1",
    // created:
    `created:>=${isoDay(-5)}`,
    `created:>${isoDay(-5)}`,
    `created:<${isoDay(-20)}`,
    `created:<=${isoDay(-20)}`,
    `created:${isoDay(-10)}..${isoDay(-3)}`,
    `created:${isoDay(-12)} created:${isoDay(-4)}`,
    `-created:${isoDay(-10)}..${isoDay(-3)}`,
    `created:${isoDay(-10)}T12:00:00Z..`,
    // combinations
    "action:delete resource:checkout",
    "checkout -type:auth result:failed",
    "ab user:kim",
    "-user:kim@acme.test action:del* -ip:10.0.0.0/8 service:billing",
  ];
  for (const q of queries) {
    it(`q=${q}`, async () => {
      await checkListing({ period: "custom", from: "2000-01-01", q, size: "25" });
    });
  }
  it("qualifiers under other sorts", async () => {
    await checkListing({ period: "30d", q: "action:del* -type:auth", sort: "action", dir: "asc", size: "25" });
    await checkListing({ period: "30d", q: "checkout", sort: "target", size: "25" });
    await checkListing({ period: "30d", q: "-user:kim", sort: "user", dir: "asc", size: "25" });
    await checkListing({ period: "30d", q: "ab", sort: "result", size: "25" });
  });
});

describe("pivots", () => {
  // Each field's value as the explorer shows it, and the model's own test of "exactly this value".
  const FIELDS: {
    field: PivotField;
    valueOf: (r: ModelRow) => string | null;
    same: (r: ModelRow, v: string) => boolean;
  }[] = [
    {
      field: "actor",
      valueOf: (r) => r.actorEmail ?? r.actorId,
      same: (r, v) => (v.includes("@") ? lower(r.actorEmail) === v.toLowerCase() : r.actorId === v),
    },
    { field: "type", valueOf: (r) => r.category, same: (r, v) => r.category === v },
    { field: "action", valueOf: (r) => r.action, same: (r, v) => r.action.toLowerCase() === v.toLowerCase() },
    {
      field: "target",
      valueOf: (r) => r.targetName ?? r.targetId,
      same: (r, v) => lower(r.targetName) === v.toLowerCase() || lower(r.targetId) === v.toLowerCase(),
    },
    { field: "result", valueOf: (r) => r.result, same: (r, v) => r.result === v },
    { field: "level", valueOf: (r) => r.level, same: (r, v) => r.level === v },
    { field: "service", valueOf: (r) => r.service, same: (r, v) => lower(r.service) === v.toLowerCase() },
    { field: "ip", valueOf: (r) => r.ipHost, same: (r, v) => r.ipHost === v },
    { field: "request_id", valueOf: (r) => r.requestId, same: (r, v) => lower(r.requestId) === v.toLowerCase() },
    { field: "correlation_id", valueOf: (r) => r.correlationId, same: (r, v) => r.correlationId === v },
  ];
  const PATH = "/orgs/acme-x/audit-logs";

  // The link's URL read back as the page reads it: the pivot round-trips through the address.
  async function listed(href: string): Promise<string[]> {
    const url = new URL(href, "http://console.test");
    const raw: RawSearchParams = {};
    for (const [k, v] of url.searchParams) raw[k] = v;
    const { params, search } = setup(raw);
    return ids(await walkForward(ORG_A, params, search));
  }

  for (const { field, valueOf, same } of FIELDS) {
    it(`${field}: adding a value lists exactly its entries, excluding it lists all the others`, async () => {
      const { params: base, search } = setup({ period: "custom", from: "2000-01-01", size: "200", q: "-type:audit" });
      const values = [...new Set(modelA.map(valueOf).filter((v): v is string => v !== null))].slice(0, 12);
      expect(values.length).toBeGreaterThan(0);
      for (const value of values) {
        const links = pivotLinks(field, value, base);
        expect(links.include, value).not.toBeNull();
        const within = modelA.filter((r) => modelMatches(r, base, search));
        const sorted = (rows: ModelRow[]) =>
          rows.sort((a, b) => compareRows(a, b, base.sort, base.dir)).map((r) => r.id);
        expect(await listed(explorerHref(PATH, base, links.include!))).toEqual(
          sorted(within.filter((r) => same(r, value))),
        );
        // An actor known only by id has no exclusion (the `user=` param cannot negate).
        if (field === "actor" && !value.includes("@")) {
          expect(links.exclude).toBeNull();
          continue;
        }
        expect(links.exclude, value).not.toBeNull();
        expect(await listed(explorerHref(PATH, base, links.exclude!))).toEqual(
          sorted(within.filter((r) => !same(r, value))),
        );
      }
    });
  }
});

describe("a word the newest rows lack", () => {
  // More entries without the word, newer than every match, than the listing walks in time order
  // before it reads the matches through the trigram index instead (entries.ts).
  const ORG_C = "00000000-0000-4000-8000-00000000000c";
  let modelC: ModelRow[];
  beforeAll(async () => {
    const d = db.handle.db;
    await d.insert(organizations).values({ id: ORG_C, slug: "busy-x", name: "Busy X" });
    const row = (n: number, minutesAgo: number, description: string): Insert => ({
      orgId: ORG_C,
      id: `20000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
      // Pairs of entries share an instant, so the id decides their order.
      occurredAt: new Date(NOW.getTime() - minutesAgo * 60_000 - Math.floor(n / 2) * 1000),
      receivedAt: NOW,
      category: "service",
      action: "deploy",
      description,
      result: "done",
      level: "information",
    });
    const matches = Array.from({ length: 70 }, (_, i) => row(i, 3 * 24 * 60, `rotate the sendgrid key ${i}`));
    const newer = Array.from({ length: NEWEST_ROWS_WALKED + 40 }, (_, i) => row(1000 + i, 60, `deploy checkout ${i}`));
    const rows = [...matches, ...newer];
    for (let i = 0; i < rows.length; i += 1000) await d.insert(auditLogs).values(rows.slice(i, i + 1000));
    modelC = await readModel(ORG_C);
  });

  it("lists the matches behind them in order, all pages both ways, in both directions", async () => {
    expect(modelC).toHaveLength(70 + NEWEST_ROWS_WALKED + 40);
    for (const dir of SORT_DIRECTIONS) {
      expect(await checkListing({ period: "7d", q: "sendgrid", dir, size: "25" }, modelC, ORG_C)).toBe(70);
      // Beside a qualifier, and a phrase.
      expect(await checkListing({ period: "7d", q: 'action:deploy "sendgrid key"', dir }, modelC, ORG_C)).toBe(70);
    }
    // A word in both: the walk finds a page among the newest.
    expect(await checkListing({ period: "7d", q: "rotate", size: "25" }, modelC, ORG_C)).toBe(70);
    expect(await checkListing({ period: "7d", q: "checkout", size: "100" }, modelC, ORG_C)).toBe(
      NEWEST_ROWS_WALKED + 40,
    );
  });

  it("opens a deep link to a match behind them in its window", async () => {
    const { params, search } = setup({ period: "7d", q: "sendgrid", size: "25" });
    const expected = expectedIds(modelC, params, search);
    const target = expected[40]!;
    const located = await locateEntry({ orgId: ORG_C, params: { ...params, entry: target }, search }, target);
    expect(located.status).toBe("found");
    if (located.status !== "found") return;
    const listed = located.page.entries.map((e) => e.id);
    expect(listed).toContain(target);
    const start = expected.indexOf(listed[0]!);
    expect(listed).toEqual(expected.slice(start, start + listed.length));
  });
});

describe("organization isolation", () => {
  it("the other organization's rows never appear", async () => {
    const n = await checkListing({ period: "custom", from: "2000-01-01", size: "100" }, modelB, ORG_B);
    expect(n).toBe(160);
    const { params, search } = setup({ period: "custom", from: "2000-01-01", size: "200" });
    const seen = ids(await walkForward(ORG_A, params, search));
    const idsB = new Set(modelB.map((r) => r.id));
    expect(seen.some((id) => idsB.has(id))).toBe(false);
  });

  it("another organization's entry reads exactly like a missing one", async () => {
    const { params, search } = setup({ period: "30d" });
    const foreign = modelB[0]!.id;
    const missing = await locateEntry({ orgId: ORG_A, params, search }, randomUUID());
    expect(missing).toEqual({ status: "not-found" });
    expect(await locateEntry({ orgId: ORG_A, params, search }, foreign)).toEqual(missing);
    expect(await locateEntry({ orgId: ORG_A, params, search }, "not-a-uuid")).toEqual(missing);
    expect(await getEntryDetails(ORG_A, foreign)).toBeNull();
    expect(await getEntryDetails(ORG_A, "nope")).toBeNull();
    expect(await getEntryDetails(ORG_B, foreign)).not.toBeNull();
  });
});

describe("deep link", () => {
  const cases: [SortKey, SortDirection][] = SORT_KEYS.flatMap((s) =>
    SORT_DIRECTIONS.map((d) => [s, d] as [SortKey, SortDirection]),
  );
  for (const [sort, dir] of cases) {
    it(`window around entries, sort=${sort} dir=${dir}, continues both ways`, async () => {
      const { params, search } = setup({ period: "30d", sort, dir, size: "25" });
      const expected = expectedIds(modelA, params, search);
      for (const position of [
        0,
        1,
        12,
        13,
        Math.floor(expected.length / 2),
        expected.length - 13,
        expected.length - 1,
      ]) {
        const entryId = expected[position]!;
        const located = await locateEntry({ orgId: ORG_A, params, search }, entryId);
        expect(located.status).toBe("found");
        if (located.status !== "found") return;
        const window = located.page.entries.map((e) => e.id);
        expect(window).toContain(entryId);
        expect(window).toHaveLength(Math.min(params.size, expected.length));
        const start = expected.indexOf(window[0]!);
        expect(window).toEqual(expected.slice(start, start + window.length));
        expect(located.page.hasPrev).toBe(start > 0);
        expect(located.page.hasNext).toBe(start + window.length < expected.length);
        // Its place is known when fewer than a page of rows come before the entry, and then exact.
        expect(located.page.firstPosition).toBe(position < params.size ? start + 1 : null);
        const after = await walkForward(ORG_A, params, search, located.page);
        const before = await walkBackward(ORG_A, params, search, located.page);
        expect([...ids(before), ...ids(after.slice(1))]).toEqual(expected);
        // Pages after a window that knows its place know theirs; the first page always does.
        if (located.page.firstPosition !== null) {
          let place = start + 1;
          for (const page of after) {
            expect(page.firstPosition).toBe(place);
            place += page.entries.length;
          }
        }
        expect(before[0]!.firstPosition).toBe(1);
      }
    });
  }

  it("window under filters and search, in a filtered sort", async () => {
    const { params, search } = setup({
      period: "30d",
      type: "service,auth,user,device",
      q: "checkout -result:pending",
      sort: "target",
      size: "25",
    });
    const expected = expectedIds(modelA, params, search);
    expect(expected.length).toBeGreaterThan(30);
    for (const position of [0, 20, expected.length - 1]) {
      const located = await locateEntry({ orgId: ORG_A, params, search }, expected[position]!);
      expect(located.status).toBe("found");
      if (located.status !== "found") return;
      const after = await walkForward(ORG_A, params, search, located.page);
      const before = await walkBackward(ORG_A, params, search, located.page);
      expect([...ids(before), ...ids(after.slice(1))]).toEqual(expected);
    }
  });

  it("an entry outside the filters opens with the parts that exclude it", async () => {
    const old = modelA.find(
      (r) => r.occurredMs < NOW.getTime() - 20 * DAY && r.category !== "auth" && !searchTextOf(r).includes("zebra"),
    )!;
    const { params, search } = setup({ period: "7d", type: "auth", q: "zebra" });
    const located = await locateEntry({ orgId: ORG_A, params, search }, old.id);
    expect(located.status).toBe("outside-filters");
    if (located.status !== "outside-filters") return;
    expect(located.excludedBy).toEqual(["period", "type", "q"]);
    expect(located.entry.id).toBe(old.id);

    const recent = modelA.find(
      (r) => r.occurredMs > NOW.getTime() - 3 * DAY && r.occurredMs < NOW.getTime() && r.result !== "failed",
    )!;
    const second = setup({ result: "failed", user: recent.actorId === "u_1" ? "u_2" : "u_1" });
    const located2 = await locateEntry({ orgId: ORG_A, params: second.params, search: second.search }, recent.id);
    expect(located2).toMatchObject({ status: "outside-filters", excludedBy: ["user", "result"] });
  });

  it("the details carry every field, as strings and JSON", async () => {
    const row = modelA.find((r) => r.ipHost !== null && r.actorId !== null)!;
    const details = await getEntryDetails(ORG_A, row.id.toUpperCase());
    expect(details).not.toBeNull();
    expect(details!.id).toBe(row.id);
    expect(details!.occurredAt).toBe(new Date(row.occurredMs).toISOString());
    expect(details!.ip).toBe(row.ipHost);
    expect(details!.actor).toEqual({ id: row.actorId, name: row.actorName, email: row.actorEmail });
    const nobody = modelA.find((r) => r.actorId === null)!;
    expect((await getEntryDetails(ORG_A, nobody.id))!.actor).toBeNull();
  });
});

describe("cursors", () => {
  it("a cursor from another sort, a tampered or foreign cursor is ignored with a message", async () => {
    const { params, search } = setup({ period: "30d", size: "25" });
    const page = await listAuditEntries({ orgId: ORG_A, params, search });
    const other = parseExplorerParams({ period: "30d", sort: "user", cursor: page.nextCursor! }, NOW);
    expect(other.params.cursor).toBeNull();
    expect(other.problems.map((p) => p.param)).toEqual(["cursor"]);
    const tampered = parseExplorerParams({ cursor: `${page.nextCursor!.slice(0, -3)}xyz` }, NOW);
    expect(tampered.params.cursor).toBeNull();
    const forged = encodeCursor({ s: "type", o: "desc", k: "nope", t: NOW.toISOString(), i: randomUUID(), d: "next" });
    const badKey = parseExplorerParams({ sort: "type", cursor: forged }, NOW);
    expect(badKey.problems.map((p) => p.param)).toEqual(["cursor"]);
    // Through the URL, a good cursor gives the second page.
    const second = parseExplorerParams(
      Object.fromEntries(serializeExplorerParams(params, { cursor: page.nextCursor })),
      NOW,
    );
    expect(second.problems).toEqual([]);
    const next = await listAuditEntries({ orgId: ORG_A, params: second.params, search: search });
    const expected = expectedIds(modelA, params, search);
    expect(next.entries.map((e) => e.id)).toEqual(expected.slice(25, 50));
  });

  it("decoding never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const decoded = decodeCursor(s);
        expect(decoded === null || typeof decoded.t === "string").toBe(true);
      }),
    );
    const good = {
      s: "user",
      o: "asc" as const,
      k: "zoë@ex.test",
      t: NOW.toISOString(),
      i: randomUUID(),
      d: "prev" as const,
    };
    expect(decodeCursor(encodeCursor(good))).toEqual(good);
  });
});

describe("counts", () => {
  it("countMatching is exact up to the cap, then a bound", async () => {
    const { params, search } = setup({ period: "30d" });
    const total = expectedIds(modelA, params, search).length;
    expect(await countMatching({ orgId: ORG_A, params, search })).toEqual({
      exact: true,
      count: total,
    });
    expect(await countMatching({ orgId: ORG_A, params, search }, { cap: total })).toEqual({
      exact: true,
      count: total,
    });
    expect(await countMatching({ orgId: ORG_A, params, search }, { cap: 10 })).toEqual({
      exact: false,
      atLeast: 10,
    });
    const q = setup({ period: "30d", q: "checkout -type:auth" });
    expect(await countMatching({ orgId: ORG_A, params: q.params, search: q.search })).toEqual({
      exact: true,
      count: expectedIds(modelA, q.params, q.search).length,
    });
  });

  it("an uncapped count counts every match, and only those received by the snapshot", async () => {
    const { params, search } = setup({ period: "custom", from: "2000-01-01", q: "service" });
    const matching = modelA.filter((r) => modelMatches(r, params, search));
    expect(await countMatching({ orgId: ORG_A, params, search }, { cap: null })).toEqual({
      exact: true,
      count: matching.length,
    });
    const received = matching.filter((r) => r.receivedMs <= NOW.getTime()).length;
    expect(received).toBeLessThan(matching.length);
    expect(await countMatching({ orgId: ORG_A, params, search, snapshotAt: NOW }, { cap: null })).toEqual({
      exact: true,
      count: received,
    });
  });
});

describe("timeline, archive and people", () => {
  it("the timeline lists one operation's steps, oldest first, in this organization only", async () => {
    const withCorrelation = await db.handle.db
      .select({ id: auditLogs.id, occurredAt: auditLogs.occurredAt, correlationId: auditLogs.correlationId })
      .from(auditLogs)
      .where(sql`${auditLogs.orgId} = ${ORG_A} and ${auditLogs.correlationId} = 'op_3'`);
    const expected = withCorrelation
      .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((r) => r.id);
    expect(expected.length).toBeGreaterThan(2);
    const steps = await getTimeline(ORG_A, "op_3");
    expect(steps.map((s) => s.id)).toEqual(expected.slice(0, 50));
    expect(await getTimeline(ORG_A, "op_none")).toEqual([]);
  });

  it("scope=archive reads the archive", async () => {
    const archive = await readModel(ORG_A, auditLogsArchive);
    expect(archive).toHaveLength(60);
    const { params, search } = setup({
      period: "custom",
      from: "2000-01-01",
      scope: "archive",
      size: "25",
      sort: "target",
    });
    const pages = await walkForward(ORG_A, params, search);
    expect(ids(pages)).toEqual(expectedIds(archive, params, search));
    // A free word in time order reads the archive's newest rows first (entries.ts), by its own name.
    const worded = setup({ period: "custom", from: "2000-01-01", scope: "archive", size: "25", q: "service" });
    const wordedExpected = expectedIds(archive, worded.params, worded.search);
    expect(wordedExpected.length).toBeGreaterThan(0);
    expect(ids(await walkForward(ORG_A, worded.params, worded.search))).toEqual(wordedExpected);
    const inArchive = archive[0]!.id;
    expect((await locateEntry({ orgId: ORG_A, params, search }, inArchive)).status).toBe("found");
    const live = setup({ period: "custom", from: "2000-01-01" });
    expect(await locateEntry({ orgId: ORG_A, params: live.params, search: live.search }, inArchive)).toEqual({
      status: "not-found",
    });
  });

  it("searchOrgUsers finds members by name or email, prefix matches first", async () => {
    const found = await searchOrgUsers(ORG_A, "kim");
    expect(found.map((u) => u.email)).toEqual(["kim@acme.test", "kimberly@acme.test", "joakim@acme.test"]);
    expect((await searchOrgUsers(ORG_B, "kim")).map((u) => u.email)).toEqual(["kim@globex.test"]);
    expect((await searchOrgUsers(ORG_A, "100%")).map((u) => u.email)).toEqual(["pat@acme.test"]);
    expect(await searchOrgUsers(ORG_A, "kim", 1)).toHaveLength(1);
    expect((await searchOrgUsers(ORG_A, "")).length).toBe(4);
  });
});

describe("params", () => {
  it("names each ignored part", () => {
    const { params, problems } = parseExplorerParams(
      {
        period: "week",
        type: "auth,nope",
        result: "done,maybe",
        sort: "color",
        dir: "up",
        size: "7",
        entry: "x",
        scope: "old",
        tz: "Mars/Base",
        cursor: "!!",
      },
      NOW,
    );
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'Ignored type "nope": not a category.',
        'Ignored period "week": use 15m, 1h, 24h, today, 7d, 30d or custom.',
        'Ignored size "7": use 25, 50, 100 or 200.',
      ]),
    );
    expect(new Set(problems.map((p) => p.param))).toEqual(
      new Set(["period", "type", "result", "sort", "dir", "size", "entry", "scope", "tz", "cursor"]),
    );
    expect(params).toMatchObject({
      period: "7d",
      type: ["auth"],
      result: ["done"],
      sort: "time",
      dir: "desc",
      size: 50,
      entry: null,
      scope: "live",
      tz: "UTC",
      cursor: null,
    });
  });

  it("bad dates are named and dropped; dates alone mean a custom period", () => {
    const a = parseExplorerParams({ from: "2026-02-30", to: "2026-03-01" }, NOW);
    expect(a.params).toMatchObject({ period: "custom", from: null, to: "2026-03-01" });
    expect(a.problems).toEqual([{ param: "from", message: 'Ignored from "2026-02-30": not a calendar date.' }]);
    const b = parseExplorerParams({ period: "custom", from: "2026-03-05", to: "2026-03-01" }, NOW);
    expect(b.params.to).toBeNull();
    expect(b.problems.map((p) => p.param)).toEqual(["to"]);
    const c = parseExplorerParams({ period: "30d", from: "2026-03-05" }, NOW);
    expect(c.params.from).toBeNull();
    expect(c.problems.map((p) => p.param)).toEqual(["from"]);
  });

  it("serializes without defaults and round-trips", () => {
    const { params } = setup({
      period: "custom",
      from: "2026-01-01",
      to: "2026-01-31T10:00:00+02:00",
      tz: "Europe/Paris",
      type: "vpn,auth",
      result: "failed",
      user: "Kim@Acme.test",
      q: "a b",
      sort: "user",
      dir: "asc",
      size: "100",
      scope: "archive",
    });
    const query = serializeExplorerParams(params);
    expect(query.get("type")).toBe("auth,vpn");
    expect(query.get("user")).toBe("kim@acme.test");
    expect(parseExplorerParams(Object.fromEntries(query), NOW).params).toEqual(params);
    expect(serializeExplorerParams(setup({}).params).toString()).toBe("");
    const withCursor = { ...params, cursor: "abc", entry: randomUUID() };
    expect(serializeExplorerParams(withCursor, { sort: "time" }).has("cursor")).toBe(false);
    expect(serializeExplorerParams(withCursor, { sort: "time" }).get("entry")).toBe(withCursor.entry);
    expect(serializeExplorerParams(withCursor, { entry: null }).get("cursor")).toBe("abc");
    expect(serializeExplorerParams(params, { period: "7d" }).has("from")).toBe(false);
  });

  it("never throws on any params, keeps only valid values, and round-trips what it keeps", () => {
    const names = [
      "period",
      "from",
      "to",
      "tz",
      "type",
      "user",
      "result",
      "q",
      "sort",
      "dir",
      "size",
      "cursor",
      "entry",
      "scope",
      "other",
    ];
    const nearValid = fc.oneof(
      fc.constantFrom(
        "today",
        "7d",
        "30d",
        "custom",
        "2026-01-01",
        "2026-13-01",
        "2026-01-01T10:00:00Z",
        "2026-01-01T25:00",
        "Europe/Paris",
        "Nope/Zone",
        "auth,vpn",
        "auth,,nope",
        "done,failed",
        "user",
        "asc",
        "desc",
        "25",
        "200",
        "7",
        "live",
        "archive",
        "00000000-0000-4000-8000-000000000000",
        "type:auth -x",
        "",
        " ",
        "a@b.c",
      ),
      fc.string({ maxLength: 40 }),
      fc.string({ unit: "grapheme", maxLength: 20 }),
    );
    const value = fc.oneof(nearValid, fc.array(nearValid, { maxLength: 3 }), fc.constant(undefined));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), value), (raw) => {
        const { params, problems } = parseExplorerParams(raw as RawSearchParams, NOW);
        expect((PAGE_SIZES as readonly number[]).includes(params.size)).toBe(true);
        expect(params.type.every((t) => (auditCategory.enumValues as readonly string[]).includes(t))).toBe(true);
        expect(params.result.every((t) => (auditResult.enumValues as readonly string[]).includes(t))).toBe(true);
        for (const p of problems) expect(names).toContain(p.param);
        const again = parseExplorerParams(Object.fromEntries(serializeExplorerParams(params)), NOW);
        expect(again.problems).toEqual([]);
        expect(again.params).toEqual(params);
      }),
      { numRuns: 500 },
    );
  });

  it("odd shapes never throw", () => {
    const weird = [null, undefined, 42, "str", [], { type: 5 }, { q: ["a", 3] }, Object.create(null)] as unknown[];
    for (const raw of weird) {
      expect(() => parseExplorerParams(raw as RawSearchParams, NOW)).not.toThrow();
    }
    expect(() => parseExplorerParams({}, new Date(Number.NaN))).not.toThrow();
  });
});

describe("text PostgreSQL cannot take, in any search param", () => {
  const UNSAFE = ["a\u0000b", "a\ud800b", "\udc00"];
  const PARAMS = ["period", "from", "to", "tz", "type", "user", "result", "q", "sort", "dir", "size", "scope", "entry"];

  it.each(PARAMS)("%s: ignored with a message naming it, and the page's queries still answer", async (name) => {
    for (const value of UNSAFE) {
      const { params, problems } = parseExplorerParams({ period: "30d", [name]: value }, NOW);
      expect(problems.map((p) => p.param)).toEqual([name]);
      // Written out as \uXXXX, never echoed raw into the page.
      expect(problems[0]!.message).not.toMatch(/[\u0000\ud800-\udfff]/);
      const search = parseSearchQuery(params.q);
      const page = await listAuditEntries({ orgId: ORG_A, params, search });
      expect(page.entries.map((e) => e.id)).toEqual(expectedIds(modelA, params, search).slice(0, params.size));
      expect(await countMatching({ orgId: ORG_A, params, search })).toHaveProperty("exact", true);
    }
  });

  it("a cursor whose sort value holds a NUL is ignored, not sent to the database", async () => {
    const forged = encodeCursor({
      s: "user",
      o: "asc",
      k: "a\u0000",
      t: NOW.toISOString(),
      i: randomUUID(),
      d: "next",
    });
    const { params, problems } = parseExplorerParams({ sort: "user", dir: "asc", cursor: forged }, NOW);
    expect(problems.map((p) => p.param)).toEqual(["cursor"]);
    expect(params.cursor).toBeNull();
  });

  it("the search language names a term holding a NUL and applies the rest", async () => {
    const search = parseSearchQuery('kim a\u0000b user:"x\ud800" -c\u0000');
    expect(search.errors.map((e) => e.token)).toEqual(["a\\u0000b", 'user:"x\\ud800"', "-c\\u0000"]);
    expect(search.terms.map((t) => t.text)).toEqual(["kim"]);
    const { params } = parseExplorerParams({ period: "30d" }, NOW);
    const page = await listAuditEntries({ orgId: ORG_A, params, search });
    expect(page.entries.map((e) => e.id)).toEqual(expectedIds(modelA, params, search).slice(0, params.size));
  });

  it("the filter panel's user search finds nobody for such text instead of failing", async () => {
    expect(await searchOrgUsers(ORG_A, "k\u0000")).toEqual([]);
    expect(await searchOrgUsers(ORG_A, "\ud800")).toEqual([]);
  });
});
