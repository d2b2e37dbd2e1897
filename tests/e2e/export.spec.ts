import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import ExcelJS from "exceljs";
import { parseCsv } from "../helpers/parse-csv";
import { exportAs, openExport } from "./helpers/export";
import { signedIn } from "./helpers/sign-in";

/*
 * The export, as a person does it: the Export button in the explorer's toolbar opens the modal,
 * its header announces N for the search in the URL, and both formats download with exactly N
 * records, read back from the saved files.
 */

const SEARCH = "/orgs/acme/audit-logs?period=30d&type=auth,user,audit&sort=user&dir=asc";
test(
  "exports the current search as xlsx and as CSV, each with the N the modal announced",
  { tag: "@storage" },
  async ({ page }) => {
    await signedIn(page, "manager@acme.test", SEARCH);
    await expect(page.locator("tr[data-entry-id]").first()).toBeVisible();
    const { dialog, count } = await openExport(page);
    expect(count).toBeGreaterThan(0);
    await expect(dialog.getByRole("radio", { name: /^xlsx/ })).toBeChecked();

    const xlsx = await exportAs(page, dialog, "xlsx");
    expect(xlsx.suggestedFilename()).toMatch(/^audit-logs-acme-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.xlsx$/);
    expect(await xlsx.failure()).toBeNull();
    await expect(dialog.getByText(/has started; your browser shows its progress/)).toBeVisible();
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile((await xlsx.path())!)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe("ID");
    expect(sheet.rowCount - 1).toBe(count);

    const csv = await exportAs(page, dialog, "CSV");
    expect(csv.suggestedFilename()).toMatch(/^audit-logs-acme-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.csv$/);
    expect(await csv.failure()).toBeNull();
    const bytes = await readFile((await csv.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const { rows, lineEndsOk } = parseCsv(bytes.subarray(3).toString("utf8"));
    expect(lineEndsOk).toBe(true);
    expect(rows[0]?.[0]).toBe("ID");
    expect(rows.length - 1).toBe(count);
    // Same search, same rows, same order in both files.
    expect(rows.slice(1).map((r) => r[0])).toEqual(
      Array.from({ length: count }, (_, i) => String(sheet.getRow(i + 2).getCell(1).value)),
    );
  },
);

test("exports the current search as NDJSON: one entry per line, as the read API writes them", async ({ page }) => {
  await signedIn(page, "manager@acme.test", SEARCH);
  await expect(page.locator("tr[data-entry-id]").first()).toBeVisible();
  const { dialog, count } = await openExport(page);
  expect(count).toBeGreaterThan(0);
  const ndjson = await exportAs(page, dialog, "NDJSON");
  expect(ndjson.suggestedFilename()).toMatch(/^audit-logs-acme-\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2}\.ndjson$/);
  expect(await ndjson.failure()).toBeNull();
  await expect(dialog.getByText(/has started; your browser shows its progress/)).toBeVisible();
  const text = (await readFile((await ndjson.path())!)).toString("utf8");
  expect(text.endsWith("\n")).toBe(true);
  const entries = text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line) as { id: string; category: string; url: string; actor: { email: string } | null });
  expect(entries).toHaveLength(count);
  for (const entry of entries) {
    expect(["auth", "user", "audit"]).toContain(entry.category);
    expect(entry.url).toMatch(new RegExp(`/orgs/acme/audit-logs/${entry.id}$`));
  }
  // In the explorer's order of the search: by user, ascending, as the page's first row shows.
  const firstRow = await page.locator("tr[data-entry-id]").first().getAttribute("data-entry-id");
  expect(entries[0]!.id).toBe(firstRow);
});

test("downloads the integrity digests beside the file when asked, listing every exported entry", async ({ page }) => {
  await signedIn(page, "manager@acme.test", SEARCH);
  await expect(page.locator("tr[data-entry-id]").first()).toBeVisible();
  const { dialog, count } = await openExport(page);
  await dialog.getByRole("checkbox", { name: /Include integrity digests/ }).check();
  const ndjson = await exportAs(page, dialog, "NDJSON");
  expect(await ndjson.failure()).toBeNull();
  const [digests] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("button", { name: "Download the integrity digests" }).click(),
  ]);
  expect(digests.suggestedFilename()).toBe(`${ndjson.suggestedFilename()}.digests.ndjson`);
  expect(await digests.failure()).toBeNull();
  await expect(dialog.getByText(/\.digests\.ndjson has started/)).toBeVisible();
  const lines = (await readFile((await digests.path())!))
    .toString("utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; id?: string; entries?: number });
  expect(lines[0]).toMatchObject({ type: "export", file: ndjson.suggestedFilename(), rows: count });
  const exported = (await readFile((await ndjson.path())!))
    .toString("utf8")
    .trimEnd()
    .split("\n")
    .map((line) => (JSON.parse(line) as { id: string }).id);
  // Every exported entry once, sealed or (the last minute's) not yet; the summary ends the file.
  expect(
    lines
      .filter((l) => l.type === "entry")
      .map((l) => l.id)
      .sort(),
  ).toEqual(exported.sort());
  expect(lines.at(-1)).toMatchObject({ type: "summary", entries: count });
});

test("offers no Export to a member without audit.export", async ({ page }) => {
  await signedIn(page, "member@acme.test", "/orgs/acme/audit-logs");
  await expect(
    page.getByText("If you cannot access this feature, please request permission from your organization manager."),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Export", exact: true })).toHaveCount(0);
});
