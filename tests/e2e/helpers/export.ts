import { expect, type Download, type Locator, type Page } from "@playwright/test";

/*
 * The export as a person starts it: the toolbar's Export button, the modal announcing N, a format
 * chosen, the download.
 */

const HEADER = /^Downloading a total of ([\d,]+) records? from the current search\.$/;

/** Opens the export modal and reads the N its header announces. */
export async function openExport(page: Page): Promise<{ dialog: Locator; count: number }> {
  await page.getByRole("button", { name: "Export", exact: true }).first().click();
  const dialog = page.getByRole("dialog");
  const heading = dialog.getByRole("heading", { name: HEADER });
  await expect(heading).toBeVisible();
  const text = (await heading.textContent()) ?? "";
  return { dialog, count: Number(HEADER.exec(text.trim())![1]!.replace(/,/g, "")) };
}

export async function exportAs(page: Page, dialog: Locator, format: "xlsx" | "CSV" | "NDJSON"): Promise<Download> {
  await dialog.getByRole("radio", { name: new RegExp(`^${format}`) }).check();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("button", { name: "Export", exact: true }).click(),
  ]);
  return download;
}
