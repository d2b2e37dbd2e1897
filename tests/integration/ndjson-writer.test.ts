import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { auditLogs, organizations } from "@/db/schema";
import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";
import { entryJsonColumns, entryJsonText } from "@/lib/exports/entry-json";
import { CopyNdjsonWriter } from "@/lib/exports/ndjson-writer";
import { createTestDatabase, serverTestUrl, type TestDatabase } from "../helpers/test-database";

/*
 * An NDJSON stream on the server database is written by a thread of the console from the plain
 * columns that COPY sends as CSV (ndjson-writer.ts); the read API's pages are written by
 * PostgreSQL (entryJsonText). The two must be the same bytes for the same entry, whatever its
 * text holds and wherever COPY's output is cut into pieces.
 */

let main: TestDatabase;
const ORG = randomUUID();
const PREFIX = "https://console.example/orgs/ndjson/audit-logs/";

// The characters a JSON writer escapes (or might), and the ones CSV quotes: quotes, backslashes,
// commas, line ends, control characters, DEL, the JavaScript line separators, a non-BMP character.
const awkward = fc.constantFrom(
  '"',
  '""',
  "\\",
  ",",
  "\n",
  "\r\n",
  "\u0001",
  "\b",
  "\t",
  "\u001f",
  "\u007f",
  "\u2028",
  "é",
  "😀",
);
const text = fc
  .array(fc.oneof(fc.string({ unit: "grapheme", maxLength: 4 }), awkward), { maxLength: 5 })
  .map((parts) => parts.join("").replace(/\u0000/g, ""));
const nullableText = fc.option(text, { nil: null });
const json = fc.option(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v).replace(/\\u0000/g, "")),
  { nil: null },
);
const entry = fc.record({
  actorId: nullableText,
  actorName: nullableText,
  actorEmail: nullableText,
  category: fc.constantFrom(...auditCategory.enumValues),
  action: text.map((s) => s || "act"),
  description: nullableText,
  targetType: nullableText,
  targetName: nullableText,
  result: fc.constantFrom(...auditResult.enumValues),
  level: fc.constantFrom(...auditLevel.enumValues),
  service: nullableText,
  ip: fc.option(fc.oneof(fc.ipV4(), fc.ipV6()), { nil: null }),
  userAgent: nullableText,
  params: json,
  before: json,
  errorCode: nullableText,
  idempotencyKey: nullableText,
});

async function copyCsv(ids: string[]): Promise<Buffer> {
  if (main.handle.kind !== "postgres") throw new Error("COPY needs the server database");
  const columns = new PgDialect().sqlToQuery(sql.join(entryJsonColumns(auditLogs), sql`, `)).sql;
  const list = ids.map((id) => `'${id}'`).join(", ");
  const stream = await main.handle.sql
    .unsafe(`copy (select ${columns} from audit_logs where id in (${list}) order by id) to stdout with (format csv)`)
    .readable();
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

beforeAll(async () => {
  main = await createTestDatabase();
  await main.handle.db.insert(organizations).values({ id: ORG, slug: "ndjson", name: "NDJSON" });
});

afterAll(async () => {
  await main?.drop();
});

describe.runIf(serverTestUrl())("the NDJSON thread's lines", () => {
  it("are PostgreSQL's JSON for the same entries, byte for byte, wherever COPY's output is cut", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 64 }),
        async (entries, cut) => {
          const ids = entries.map(() => randomUUID());
          await main.handle.db
            .insert(auditLogs)
            .values(entries.map((e, i) => ({ ...e, id: ids[i]!, orgId: ORG, occurredAt: new Date(Date.now() - i) })));
          const expected = await queryRows<{ line: string }>(
            main.handle.db,
            sql`select ${entryJsonText(auditLogs, PREFIX)} as line from audit_logs where id in ${ids} order by id`,
          );
          const csv = await copyCsv(ids);
          const writer = new CopyNdjsonWriter(PREFIX);
          const out: Buffer[] = [];
          for (let at = 0; at < csv.length; at += cut)
            out.push(Buffer.from(writer.transform(csv.subarray(at, at + cut))));
          expect(writer.complete).toBe(true);
          expect(writer.records).toBe(entries.length);
          expect(Buffer.concat(out).toString("utf8")).toBe(expected.map((r) => `${r.line}\n`).join(""));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("are not finished while a record is cut short", () => {
    const writer = new CopyNdjsonWriter(PREFIX);
    expect(Buffer.from(writer.transform(Buffer.from('7a0b1c2d-0000-4000-8000-000000000000,"2026'))).length).toBe(0);
    expect(writer.complete).toBe(false);
    expect(writer.records).toBe(0);
  });
});
