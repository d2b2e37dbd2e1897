import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SQL_COLUMNS, xlsxKind } from "@/lib/exports/columns";
import { csvField } from "@/lib/exports/csv-writer";
import { CopySheetRows } from "@/lib/exports/copy-sheet-rows";
import { OffThreadSheetRows } from "@/lib/exports/off-thread-xlsx";
import { XlsxWriter, type XlsxCellKind } from "@/lib/exports/xlsx-writer";
import { readZip } from "../helpers/read-zip";

const KINDS: XlsxCellKind[] = SQL_COLUMNS.map(xlsxKind);
const PREFIX = "https://console.test/orgs/acme/audit-logs/";

// Values that take every branch: escaping, OOXML's _xHHHH_, edge blanks, formulas (plain and
// full-width), quotes and commas (quoted by COPY), characters XML forbids, long text, non-ASCII.
const TRICKY = [
  "plain",
  "a, b",
  'say "hi"',
  '"',
  "line\nbreak",
  "cr\rhere",
  "crlf\r\n",
  '=HYPERLINK("x")',
  "+1",
  "-5",
  "@sum",
  "\uff1d1",
  " \u3000=1",
  " lead",
  "trail ",
  "\ttab",
  "_x0041_",
  "a_xb",
  "_X0041_",
  "<b>&amp;</b>",
  "\u0001ctl\u001f",
  "\ufffe\uffff",
  "\uffef\uffbf",
  "ä€𝄞 日本",
  "\\.",
];
// Longer than a cell holds (in characters; the euros also in bytes only): rarer, they are large.
const LONG = ["x".repeat(40_000), "€".repeat(12_000), "€".repeat(32_000)];

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

function generateRows(count: number, random: () => number): (string | number | null)[][] {
  const rows: (string | number | null)[][] = [];
  for (let r = 0; r < count; r++) {
    const when =
      1_700_000_000_000 +
      Math.floor(random() * 40_000_000_000) +
      (random() < 0.5 ? Math.floor(random() * 1000) / 1000 : 0);
    rows.push(
      KINDS.map((kind, i) => {
        if (i === 0) return randomUUID();
        if (kind === "utc-time") return when;
        if (kind === "local-time") return when + 3_600_000;
        if (random() < 0.15) return null;
        if (kind === "code") return pick(["auth", "success", "10.0.0.1", "2001:db8::1", ""], random);
        if (random() < 0.1) return "";
        const parts = Math.ceil(random() * 2);
        let text = "";
        for (let k = 0; k < parts; k++) text += pick(random() < 0.01 ? LONG : TRICKY, random);
        return text;
      }),
    );
  }
  return rows;
}

// COPY's CSV of the rows: NULL unquoted and empty, numbers as text, LF line ends.
function copyCsv(rows: readonly (readonly (string | number | null)[])[]): Buffer {
  return Buffer.from(
    rows.map((row) => row.map((v) => csvField(v === null ? null : String(v))).join(",") + "\n").join(""),
    "utf8",
  );
}

function pieces(bytes: Buffer, random: () => number, largest = 3000): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * largest);
    out.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return out;
}

function newWriter(): XlsxWriter {
  const columns = [...KINDS, "text" as const].map((kind, i) => ({ header: `C${i}`, width: 10, kind }));
  return new XlsxWriter(columns, {
    sheetName: "Audit log",
    title: "Test",
    createdAt: new Date("2026-11-20T00:00:00Z"),
  });
}

// What rowsXml() writes for the same rows, the permalink added as the values path adds it.
function expectedXml(rows: readonly (readonly (string | number | null)[])[], prefix: string): string {
  return newWriter().rowsXml(rows.map((row) => [...row, prefix + String(row[0])]));
}

describe("CopySheetRows", () => {
  it("writes the same XML as rowsXml() for the same values, wherever the pieces break", () => {
    for (const [seed, prefix] of [
      [1, PREFIX],
      [2, PREFIX],
      // A prefix that needs escaping takes the slow path for the permalink.
      [3, "https://console.test/orgs/a&b/audit-logs/"],
    ] as const) {
      const random = seeded(seed);
      const rows = generateRows(400, random);
      const converter = new CopySheetRows({ kinds: KINDS, permalinkPrefix: prefix, firstRow: 2 });
      const out = pieces(copyCsv(rows), random).map((piece) => converter.transform(piece).toString("utf8"));
      expect(out.join("")).toBe(expectedXml(rows, prefix));
      expect(converter.records).toBe(400);
      expect(converter.complete).toBe(true);
    }
  });

  it("holds an unfinished record, and refuses a record with the wrong number of fields", () => {
    const converter = new CopySheetRows({ kinds: ["code", "text"], permalinkPrefix: PREFIX, firstRow: 2 });
    expect(converter.transform(Buffer.from('id1,"a\nb')).length).toBe(0);
    expect(converter.complete).toBe(false);
    expect(converter.transform(Buffer.from('"\n')).toString()).toBe(
      `<row r="2"><c r="A2" t="inlineStr"><is><t>id1</t></is></c><c r="B2" t="inlineStr"><is><t>a\nb</t></is></c><c r="C2" t="inlineStr"><is><t>${PREFIX}id1</t></is></c></row>`,
    );
    expect(converter.complete).toBe(true);
    expect(() => converter.transform(Buffer.from("id2\n"))).toThrow("A COPY record had 1 fields, not 2");
    expect(() =>
      new CopySheetRows({ kinds: ["code"], permalinkPrefix: PREFIX, firstRow: 2 }).transform(Buffer.from("a,b\n")),
    ).toThrow("A COPY record had more than 1 fields");
  });
});

describe("OffThreadSheetRows", () => {
  it("gives the same worksheet, CRC included, as the writer compressing rowsXml() itself", async () => {
    const random = seeded(7);
    const rows = generateRows(1500, random);

    const reference = newWriter();
    const referenceParts = [...(await reference.start())];
    referenceParts.push(
      await reference.compress(reference.rowsXml(rows.map((row) => [...row, PREFIX + String(row[0])]))),
    );
    referenceParts.push(...(await reference.finish()));

    const writer = newWriter();
    const parts = [...(await writer.start())];
    const sheet = new OffThreadSheetRows({
      kinds: KINDS,
      permalinkPrefix: PREFIX,
      firstRow: writer.nextRow,
      crc: writer.sheetCrc,
      level: writer.level,
    });
    try {
      // Every piece is sent before any answer comes back: the answers still come in order.
      const replies = await Promise.all(
        pieces(copyCsv(rows), random, 64 * 1024).map((piece) => sheet.transform(piece)),
      );
      for (const reply of replies) parts.push(writer.appendRows(reply, reply.records));
      expect(replies.at(-1)).toMatchObject({ records: 1500, complete: true });
    } finally {
      await sheet.close();
    }
    parts.push(...(await writer.finish()));
    expect(writer.rows).toBe(1500);

    // readZip checks each entry's CRC-32 against its inflated bytes.
    const expected = readZip(Buffer.concat(referenceParts));
    const actual = readZip(Buffer.concat(parts));
    expect(actual["xl/worksheets/sheet1.xml"]!.toString("utf8")).toBe(
      expected["xl/worksheets/sheet1.xml"]!.toString("utf8"),
    );
    expect(actual["xl/workbook.xml"]!.toString("utf8")).toBe(expected["xl/workbook.xml"]!.toString("utf8"));
  });

  it("refuses a garbled piece with the reason, and everything after it", async () => {
    const sheet = new OffThreadSheetRows({
      kinds: ["code", "text"],
      permalinkPrefix: PREFIX,
      firstRow: 2,
      crc: 0,
      level: 1,
    });
    try {
      const good = sheet.transform(Buffer.from("a,b\n"));
      const bad = sheet.transform(Buffer.from("a\n"));
      const later = sheet.transform(Buffer.from("c,d\n"));
      await expect(good).resolves.toMatchObject({ records: 1 });
      await expect(bad).rejects.toThrow("A COPY record had 1 fields, not 2");
      await expect(later).rejects.toThrow("A COPY record had 1 fields, not 2");
    } finally {
      await sheet.close();
    }
  });
});
