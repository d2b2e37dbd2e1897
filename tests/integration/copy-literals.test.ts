import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizations } from "@/db/schema";
import { auditResult } from "@/db/schema/enums";
import type { AuditPage } from "@/lib/audit-log/entries";
import { listAuditEntries } from "@/lib/audit-log/entries";
import { selectionFromParams } from "@/lib/audit-log/selection";
import type { AuditEvent } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { inlineParameters } from "@/lib/exports/export-query";
import type { ExportSelection } from "@/lib/exports/export-query";
import { copyCsvStatement } from "@/lib/exports/stream-export";
import { parseCsv } from "../helpers/parse-csv";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * Issue 15 item 11. COPY takes no bound parameters, so an export's statement carries its values as
 * SQL literals written by hand (inlineParameters). The proof that they are safe: for generated
 * hostile values (quotes, backslashes, E'' and U&'' forms, dollar quotes, comment markers,
 * placeholders, COPY's own markers, unicode, long text) in every text filter and the search
 * language, the export's statement lists exactly the ids, in the same order, that the explorer's
 * parameterised query lists. The stored entries hold those same values, so searches match rows.
 * On the server database the statement runs as COPY, as exports run it; the embedded database
 * runs its inner SELECT, literals and all (exports there read in keyset batches).
 */

let testDb: TestDatabase;
let orgId: string;

const PIECES = [
  "'",
  "''",
  "\\",
  "\\\\",
  "\\'",
  "E'",
  "e'\\''",
  "U&'\\0041'",
  "$$",
  "$1",
  "$2::text",
  "$tag$",
  '"',
  "--",
  "/*",
  "*/",
  ";",
  "%",
  "_",
  "*",
  ":",
  "-",
  "\\.",
  "\\N",
  "\t",
  "\r\n",
  "é",
  "日本語",
  "🚀",
  "\u202e",
  "\u00a0",
  "'); drop table audit_logs; --",
  "admin",
] as const;

// The values stored in the entries: every piece, a few in combination, and long ones.
const POOL: string[] = [
  ...PIECES,
  ...PIECES.map((p, i) => `x${p}${PIECES[(i * 7) % PIECES.length]}y`),
  "'\\".repeat(200),
  `${"$$".repeat(100)}end`,
  "O'Brien \\ back\\slash",
];

const hostile = fc.oneof(
  fc.constantFrom(...POOL),
  fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: "grapheme", maxLength: 4 })), {
      minLength: 1,
      maxLength: 6,
    })
    .map((parts) => parts.join("")),
  fc
    .constantFrom(...POOL)
    .chain((v) =>
      fc.tuple(fc.nat(v.length), fc.nat(v.length)).map(([a, b]) => v.slice(Math.min(a, b), Math.max(a, b)) || v),
    ),
  fc.constant("'\\$$".repeat(1200)),
);

const QUALIFIERS = ["", "user", "action", "resource", "target", "request_id", "service"] as const;

// A search-language token for a value: quoted when it holds spaces (a phrase cannot hold `"`).
const token = fc
  .record({ key: fc.constantFrom(...QUALIFIERS), negated: fc.boolean(), value: hostile })
  .map(({ key, negated, value }) => {
    const bare = value.replace(/"/g, "");
    const text = /\s/.test(bare) || bare === "" ? `"${bare}"` : bare;
    return `${negated ? "-" : ""}${key ? `${key}:` : ""}${text}`;
  });

const search = fc
  .record({
    q: fc.array(token, { maxLength: 3 }),
    user: fc.option(fc.oneof(fc.constantFrom(...POOL.slice(0, 12)), hostile), { nil: undefined }),
    type: fc.subarray(["service", "auth", "infra"]),
    result: fc.subarray([...auditResult.enumValues]),
    sort: fc.constantFrom("time", "user", "type", "action", "target", "result"),
    dir: fc.constantFrom("asc", "desc"),
  })
  .map(({ q, user, type, result, sort, dir }) => {
    const raw: Record<string, string> = { period: "30d", sort, dir, size: "200" };
    if (q.length) raw.q = q.join(" ");
    if (user !== undefined) raw.user = user;
    if (type.length) raw.type = type.join(",");
    if (result.length) raw.result = result.join(",");
    return raw;
  });

function selectionOf(raw: Record<string, string>): ExportSelection {
  const { selection } = selectionFromParams(orgId, raw);
  // Both sides read the same snapshot, so an entry arriving meanwhile cannot make them differ.
  return { ...selection, snapshotAt: new Date(Date.now() + 60_000) };
}

async function explorerIds(selection: ExportSelection): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; ; pages++) {
    const page: AuditPage = await listAuditEntries({ ...selection, params: { ...selection.params, cursor } });
    ids.push(...page.entries.map((e) => e.id));
    if (!page.hasNext || !page.nextCursor) return ids;
    cursor = page.nextCursor;
    if (pages > 100) throw new Error("runaway paging");
  }
}

const COPY = /^copy \((.*)\) to stdout with \(format csv\)$/s;

async function exportIds(selection: ExportSelection): Promise<string[]> {
  const statement = copyCsvStatement({
    selection,
    context: { timeZone: "UTC", permalinkPrefix: "http://console.test/orgs/acme/audit-logs/" },
    format: "csv",
    expectedRows: 0,
  });
  const inner = COPY.exec(statement)?.[1];
  if (!inner) throw new Error(`not a COPY statement: ${statement.slice(0, 80)}`);
  const handle = testDb.handle;
  if (handle.kind === "pglite") {
    const result = await handle.client.query<unknown[]>(inner, [], { rowMode: "array" });
    return result.rows.map((row) => String(row[0]));
  }
  const selected = (await handle.sql.unsafe(inner).values()).map((row) => String(row[0]));
  // A connection of its own, as exports have (a COPY stream holds its connection).
  const own = postgres(testDb.url!, { max: 1, onnotice: () => {} });
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of await own.unsafe(statement).readable()) chunks.push(chunk as Buffer);
  } finally {
    await own.end({ timeout: 5 });
  }
  const copied = parseCsv(Buffer.concat(chunks).toString("utf8")).rows.map((row) => String(row[0]));
  expect(copied).toEqual(selected);
  return copied;
}

function shaped(i: number): AuditEvent {
  const pick = (k: number) => POOL[(i * 5 + k * 11) % POOL.length]!;
  return {
    idempotencyKey: null,
    occurredAt: new Date(Date.now() - (i + 1) * 3_600_000),
    actor:
      i % 9 === 0 ? null : { id: pick(1).slice(0, 200), name: pick(2).slice(0, 300), email: pick(3).toLowerCase() },
    category: (["service", "auth", "infra"] as const)[i % 3]!,
    action: pick(4).slice(0, 200),
    description: `${pick(5)} ${pick(6)}`,
    target: { type: "service", id: pick(7).slice(0, 300), name: pick(8).slice(0, 300) },
    result: auditResult.enumValues[i % auditResult.enumValues.length]!,
    level: i % 2 ? "notice" : "information",
    service: pick(9).slice(0, 200),
    ip: `203.0.113.${i % 250}`,
    userAgent: pick(10),
    requestId: pick(11).slice(0, 200),
    correlationId: null,
    params: { value: pick(12) },
    before: null,
    after: null,
    error: null,
  };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const [org] = await testDb.handle.db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning();
  orgId = org!.id;
  await storeAuditEvents(
    testDb.handle.db,
    orgId,
    Array.from({ length: 400 }, (_, i) => shaped(i)),
  );
});
afterAll(async () => {
  await testDb?.drop();
});

describe("the export's hand-written literals", () => {
  it("list exactly the explorer's entries, in its order, for hostile values in every filter and search", async () => {
    let matched = 0;
    await fc.assert(
      fc.asyncProperty(search, async (raw) => {
        const selection = selectionOf(raw);
        const expected = await explorerIds(selection);
        expect(await exportIds(selection)).toEqual(expected);
        if (expected.length > 0) matched++;
      }),
      { numRuns: 60 },
    );
    // Searches for stored values found entries: the equality above was not only of empty lists.
    expect(matched).toBeGreaterThan(12);
  });

  it("keep each stored value a search for exactly it finds, whatever it holds", async () => {
    for (const value of POOL.filter((v) => !/[\s"]/.test(v)).slice(0, 40)) {
      const selection = selectionOf({ period: "30d", q: `action:${value}` });
      const expected = await explorerIds(selection);
      expect(await exportIds(selection)).toEqual(expected);
    }
    const all = await explorerIds(selectionOf({ period: "30d" }));
    expect(all).toHaveLength(400);
    expect(await exportIds(selectionOf({ period: "30d" }))).toEqual(all);
  });

  it("never receive a NUL: the search params drop it first, and the writer refuses one", () => {
    const selection = selectionOf({ period: "30d", q: "a\u0000b", user: "x\u0000" });
    expect(selection.params.q).toBe("");
    expect(selection.params.user).toBeNull();
    expect(() => inlineParameters({ sql: "select $1", params: ["a\u0000b"] })).toThrow(TypeError);
  });

  it("write every kind of bound value as the literal PostgreSQL reads back", async () => {
    const values = [...POOL, "'\\$$".repeat(1200), 0, -1.5, 12345678901234, true, false, null];
    const handle = testDb.handle;
    for (const value of values) {
      const text = inlineParameters({ sql: "select $1::text as v", params: [value] });
      const rows =
        handle.kind === "pglite"
          ? (await handle.client.query<{ v: string | null }>(text)).rows
          : await handle.sql.unsafe<{ v: string | null }[]>(text);
      expect(rows[0]!.v).toBe(value === null ? null : String(value));
    }
  });
});
