import ExcelJS from "exceljs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CopyCsvPostProcessor, csvField, csvRecord } from "@/lib/exports/csv-writer";
import {
  FORMULA_TRIGGERS,
  isFormulaLike,
  isFormulaLikeUtf8,
  LEADING_BLANKS,
  neutraliseForCsv,
} from "@/lib/exports/spreadsheet-safety";
import { columnLetter, fitCell, XLSX_MAX_CELL_CHARS, XlsxWriter, xmlText } from "@/lib/exports/xlsx-writer";
import { readZip } from "../helpers/read-zip";

describe("formula neutralisation", () => {
  it("flags the OWASP triggers, after leading blanks too", () => {
    for (const value of [
      "=1+1",
      "+1",
      "-2+3",
      "@SUM(A1)",
      "\t=1",
      "\r=1",
      "\n=1",
      "\tplain",
      "  =1",
      "\u00a0=1",
      "\u3000+1",
      "＝1",
      "＠x",
    ]) {
      expect([value, isFormulaLike(value)]).toEqual([value, true]);
    }
    for (const value of [
      "",
      "hello",
      "a=1",
      "1-2",
      "  hello",
      " ",
      "'=1",
      '"=1"',
      '{"a": 1}',
      "2001:db8::1",
      "user@example.test",
    ]) {
      expect([value, isFormulaLike(value)]).toEqual([value, false]);
    }
  });

  it("prefixes an apostrophe and changes nothing else", () => {
    expect(neutraliseForCsv('=HYPERLINK("x")')).toBe('\'=HYPERLINK("x")');
    expect(neutraliseForCsv("plain")).toBe("plain");
  });

  it("reads the same on UTF-8 bytes as on strings", () => {
    const unit = fc.constantFrom(
      ...FORMULA_TRIGGERS,
      ...LEADING_BLANKS,
      "a",
      "Z",
      "1",
      "'",
      '"',
      "{",
      "é",
      "日",
      "🚀",
      "\u0085",
      "\u00a1",
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 6 }), (value) => {
        const bytes = Buffer.from(`x${value}y`, "utf8");
        expect(isFormulaLikeUtf8(bytes, 1, bytes.length - 1)).toBe(isFormulaLike(value));
      }),
      { numRuns: 3000 },
    );
  });
});

// COPY ... CSV's own rendering: LF after each row, PostgreSQL's quoting rules.
function copyRecord(values: (string | null)[]): string {
  return `${values.map((v) => csvField(v)).join(",")}\n`;
}

describe("CSV", () => {
  it("quotes like RFC 4180 (and like COPY)", () => {
    expect(csvField(null)).toBe("");
    expect(csvField("")).toBe('""');
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("\\.")).toBe('"\\."');
    expect(csvRecord(["a", null, "b,c"])).toBe('a,,"b,c"\r\n');
  });

  it("finishes COPY's records wherever the chunks break: CRLF, neutralised values, the permalink", () => {
    const value = fc.oneof(
      fc.constant(null),
      fc.string({
        unit: fc.constantFrom("a", "b", ",", '"', "\n", "\r", " ", "é", "日", "=", "+", "-", "@", "\t", "\u00a0", "＝"),
      }),
    );
    const record = fc.tuple(fc.uuid(), value, value, value);
    const neutralise = [false, true, false, true];
    fc.assert(
      fc.property(fc.array(record, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (records, cuts) => {
        const input = Buffer.from(records.map(copyRecord).join(""), "utf8");
        const points = [...new Set(cuts.map((c) => (input.length ? c % input.length : 0)))].sort((a, b) => a - b);
        const post = new CopyCsvPostProcessor({
          fields: 4,
          neutralise,
          permalinkPrefix: "https://console.test/orgs/acme/audit-logs/",
        });
        const out: Uint8Array[] = [];
        let from = 0;
        for (const point of [...points, input.length]) {
          out.push(post.transform(input.subarray(from, point)));
          from = point;
        }
        const expected = records.map((r) =>
          csvRecord([
            ...r.map((v, i) => (v !== null && neutralise[i] ? neutraliseForCsv(v) : v)),
            `https://console.test/orgs/acme/audit-logs/${r[0]}`,
          ]),
        );
        expect(Buffer.concat(out).toString("utf8")).toBe(expected.join(""));
        expect(post.records).toBe(records.length);
        expect(post.complete).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("holds an unfinished record, and refuses a record with the wrong number of fields", () => {
    const post = new CopyCsvPostProcessor({ fields: 2, neutralise: [false, false], permalinkPrefix: "p/" });
    expect(post.transform(Buffer.from('a,"unfinished\n'))).toHaveLength(0);
    expect(post.complete).toBe(false);
    expect(Buffer.from(post.transform(Buffer.from('"\n'))).toString()).toBe('a,"unfinished\n",p/a\r\n');
    expect(() => post.transform(Buffer.from("a,b,c\n"))).toThrow(/3 fields, not 2/);
  });
});

describe("xlsx", () => {
  it("names columns like a spreadsheet", () => {
    expect([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter)).toEqual([
      "A",
      "B",
      "Z",
      "AA",
      "AB",
      "AZ",
      "BA",
      "ZZ",
      "AAA",
    ]);
  });

  it("escapes XML, keeps CR, writes characters XML cannot carry the OOXML way", () => {
    expect(xmlText("plain")).toBe("plain");
    expect(xmlText("a<b>&c")).toBe("a&lt;b&gt;&amp;c");
    expect(xmlText("a\rb")).toBe("a&#13;b");
    expect(xmlText("bell\u0007")).toBe("bell_x0007_");
    expect(xmlText("_x0041_")).toBe("_x005F_x0041_");
    expect(xmlText("emoji 🚀 stays")).toBe("emoji 🚀 stays");
    expect(xmlText("lone \ud800 surrogate")).toBe("lone \ufffd surrogate");
  });

  it("cuts a cell at Excel's limit and says so", () => {
    const long = "x".repeat(40_000);
    const cut = fitCell(long);
    expect(cut.length).toBeLessThanOrEqual(XLSX_MAX_CELL_CHARS);
    expect(cut).toMatch(/cut: 40,000 characters in all; the CSV export has the full text\]$/);
    expect(fitCell("short")).toBe("short");
    const pairs = "🚀".repeat(20_000);
    const cutPairs = fitCell(pairs);
    expect(cutPairs.length).toBeLessThanOrEqual(XLSX_MAX_CELL_CHARS);
    expect(cutPairs).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it("writes a workbook that a reader opens, with dates, text, quoted formulas and a frozen, filtered header", async () => {
    const writer = new XlsxWriter(
      [
        { header: "ID", width: 10, kind: "code" },
        { header: "When", width: 20, kind: "utc-time" },
        { header: "Text", width: 30, kind: "text" },
      ],
      { sheetName: "Audit log", title: "Test", createdAt: new Date("2026-11-20T00:00:00Z") },
    );
    const parts: Buffer[] = [...(await writer.start())];
    const when = Date.parse("2026-11-20T09:15:00.123Z");
    parts.push(
      await writer.compress(
        writer.rowsXml([
          ["a", when, "=1+1"],
          ["b", null, " spaced <text> "],
          ["c", when, null],
        ]),
      ),
    );
    parts.push(...(await writer.finish()));
    const file = Buffer.concat(parts);
    const entries = readZip(file);
    expect(Object.keys(entries)).toContain("xl/worksheets/sheet1.xml");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.name).toBe("Audit log");
    expect(sheet.rowCount).toBe(4);
    expect(sheet.getCell("B2").value).toEqual(new Date(when));
    expect(sheet.getCell("C2").value).toBe("=1+1");
    expect(sheet.getCell("C2").type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getCell("C3").value).toBe(" spaced <text> ");
    expect(sheet.getCell("B3").value).toBeNull();
    expect(sheet.autoFilter).toBe("A1:C4");
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(entries["xl/workbook.xml"]!.toString()).toContain("'Audit log'!$A$1:$C$4");
  });
});
