import { describe, expect, it } from "vitest";
import {
  contentDisposition,
  DEFAULT_EXPORT_MAX_ROWS,
  exportFileName,
  exportMaxRows,
  exportTimeZone,
  limitMessages,
} from "@/lib/exports/export-plan";
import { parseWholeSearch, rawQueryString, rawSearchParams } from "@/lib/audit-log/selection";
import { XLSX_MAX_DATA_ROWS } from "@/lib/exports/xlsx-writer";

const NOW = new Date("2026-11-22T10:00:00Z");

describe("reading the search", () => {
  it("reads repeated params as the page does", () => {
    expect(rawSearchParams("?type=auth&type=vpn&q=a%20b")).toEqual({ type: ["auth", "vpn"], q: "a b" });
  });

  it("writes a page's raw params back as they came", () => {
    expect(rawQueryString(rawSearchParams("type=auth&type=vpn&q=a+b"))).toBe("type=auth&type=vpn&q=a+b");
  });

  it("exports the whole result: no page position, no selection", () => {
    const parsed = parseWholeSearch("type=auth&cursor=abc&entry=00000000-0000-4000-8000-000000000000&size=25", NOW);
    expect(parsed.params.cursor).toBeNull();
    expect(parsed.params.entry).toBeNull();
    expect(parsed.canonical).toBe("type=auth&size=25");
  });

  it("resolves rolling periods at the snapshot, and reads back the same from its canonical form", () => {
    const first = parseWholeSearch("period=30d&q=action:delete", NOW);
    expect(first.params.range.from).toBe("2026-10-23T10:00:00.000Z");
    const again = parseWholeSearch(first.canonical, NOW);
    expect(again.params).toEqual(first.params);
    expect(again.search).toEqual(first.search);
  });
});

describe("limits", () => {
  it("reads EXPORT_MAX_ROWS, defaulting to five million", () => {
    expect(exportMaxRows({})).toBe(DEFAULT_EXPORT_MAX_ROWS);
    expect(exportMaxRows({ EXPORT_MAX_ROWS: "2_000_000" })).toBe(2_000_000);
    expect(exportMaxRows({ EXPORT_MAX_ROWS: "-1" })).toBe(DEFAULT_EXPORT_MAX_ROWS);
    expect(exportMaxRows({ EXPORT_MAX_ROWS: "lots" })).toBe(DEFAULT_EXPORT_MAX_ROWS);
  });

  it("offers CSV, NDJSON or a narrower search past an xlsx sheet, smaller intervals past the maximum", () => {
    expect(limitMessages(XLSX_MAX_DATA_ROWS, 5_000_000)).toEqual({ xlsx: null, csv: null, ndjson: null });
    const big = limitMessages(XLSX_MAX_DATA_ROWS + 1, 5_000_000);
    expect(big.csv).toBeNull();
    expect(big.ndjson).toBeNull();
    expect(big.xlsx).toMatch(
      /more than an xlsx sheet holds \(1,048,575\)\. Choose CSV or NDJSON, or narrow the search/,
    );
    const huge = limitMessages(5_000_001, 5_000_000);
    expect(huge.csv).toMatch(/more than 5,000,000 records.*Export in smaller time intervals/);
    expect(huge.xlsx).toBe(huge.csv);
    expect(huge.ndjson).toBe(huge.csv);
  });

  it("falls back to UTC for a zone the runtime does not know", () => {
    expect(exportTimeZone("Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(exportTimeZone("Nowhere/Else")).toBe("UTC");
    expect(exportTimeZone(42)).toBe("UTC");
  });
});

describe("file name", () => {
  const params = (range: { from: string | null; to: string | null }, scope: "live" | "archive" = "live") => ({
    range,
    scope,
  });
  it("names the organization and the days covered, in the viewer's zone", () => {
    expect(
      exportFileName({
        orgSlug: "acme",
        params: params({ from: "2026-11-01T00:00:00.000Z", to: null }),
        snapshotAt: NOW,
        timeZone: "UTC",
        format: "xlsx",
      }),
    ).toBe("audit-logs-acme-2026-11-01_2026-11-22.xlsx");
    // The end is exclusive: a period to midnight ends the day before.
    expect(
      exportFileName({
        orgSlug: "acme",
        params: params({ from: "2026-01-01T00:00:00.000Z", to: "2026-02-01T00:00:00.000Z" }),
        snapshotAt: NOW,
        timeZone: "UTC",
        format: "csv",
      }),
    ).toBe("audit-logs-acme-2026-01-01_2026-01-31.csv");
    expect(
      exportFileName({
        orgSlug: "acme",
        params: params({ from: "2026-11-21T23:30:00.000Z", to: null }),
        snapshotAt: NOW,
        timeZone: "Asia/Tokyo",
        format: "csv",
      }),
    ).toBe("audit-logs-acme-2026-11-22_2026-11-22.csv");
    expect(
      exportFileName({
        orgSlug: "acme",
        params: params({ from: null, to: null }, "archive"),
        snapshotAt: NOW,
        timeZone: "UTC",
        format: "csv",
      }),
    ).toBe("audit-logs-archive-acme-until-2026-11-22.csv");
    expect(
      exportFileName({
        orgSlug: "ünï cörn/../x",
        params: params({ from: null, to: null }),
        snapshotAt: NOW,
        timeZone: "UTC",
        format: "csv",
      }),
    ).toMatch(/^audit-logs-[A-Za-z0-9._-]+-until-2026-11-22\.csv$/);
  });

  it("writes RFC 6266's two forms", () => {
    expect(contentDisposition("audit-logs-acme-2026-11-01_2026-11-22.xlsx")).toBe(
      `attachment; filename="audit-logs-acme-2026-11-01_2026-11-22.xlsx"; filename*=UTF-8''audit-logs-acme-2026-11-01_2026-11-22.xlsx`,
    );
    expect(contentDisposition('naïve "name".csv')).toBe(
      `attachment; filename="na_ve _name_.csv"; filename*=UTF-8''na%C3%AFve%20%22name%22.csv`,
    );
  });
});

describe("COPY's statement text", () => {
  it("writes parameters in as literals that mean what the bound values meant", async () => {
    const { inlineParameters } = await import("@/lib/exports/export-query");
    expect(
      inlineParameters({
        sql: `select '$1', "col$2", E'it\\'s $1', x from t where a = $1 and b like $2 and c = $3 and d = $4 and e = $10`,
        params: [
          "o'neil \\ back",
          "50\\%",
          new Date("2026-01-02T03:04:05.006Z"),
          7,
          null,
          null,
          null,
          null,
          null,
          true,
        ],
      }),
    ).toBe(
      `select '$1', "col$2", E'it\\'s $1', x from t where a = E'o''neil \\\\ back' and b like E'50\\\\%' and c = '2026-01-02T03:04:05.006Z'::timestamptz and d = E'7' and e = E'true'`,
    );
    expect(() => inlineParameters({ sql: "select $2", params: ["a"] })).toThrow(/No parameter \$2/);
    expect(() => inlineParameters({ sql: "select $1", params: ["nul\u0000"] })).toThrow(/NUL/);
    expect(() => inlineParameters({ sql: "select $1", params: [{}] })).toThrow(/Cannot write/);
  });
});
