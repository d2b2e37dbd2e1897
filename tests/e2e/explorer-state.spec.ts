import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { signIn, signedIn } from "./helpers/sign-in";
import { ingest } from "./helpers/ingest";

/*
 * The explorer's state in sight: the period is always a chip (the default one too), a created:
 * range the period cuts off says which one wins and offers the way out, and the type sort follows
 * the labels (the page's position, "801–850 of …", is tested in explorer.spec.ts); entries that
 * arrive for the current search are announced and shown without losing the selection. Entries are
 * ingested with a marker of their own.
 */

const EXPLORER = "/orgs/acme/audit-logs";
const DAY_MS = 86_400_000;

const marker = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const utcDay = (date: Date) => date.toISOString().slice(0, 10);
const rows = (page: Page) => page.locator("tr[data-entry-id]");
const chips = (page: Page) => page.getByRole("group", { name: "Active filters" });

test.describe("visible state", () => {
  test("the default period is a chip; removing it lifts the time limit", async ({ page }) => {
    await signIn(page, "manager@acme.test");
    await page.goto(EXPLORER);
    const periodChip = chips(page).getByRole("link", { name: "Remove filter Period: Last 7 days" });
    await expect(periodChip).toBeVisible();
    await periodChip.click();
    await expect(page).toHaveURL(/period=custom/);
    await expect(page).not.toHaveURL(/from=|to=/);
    // Nothing left to remove, but still in sight; the reset brings the default back.
    await expect(chips(page)).toContainText("Period:Any time");
    await expect(chips(page).getByRole("link", { name: /^Remove filter Period/ })).toHaveCount(0);
    await chips(page).getByRole("link", { name: "Reset filters" }).click();
    await expect(page).not.toHaveURL(/period=/);
    await expect(chips(page).getByRole("link", { name: "Remove filter Period: Last 7 days" })).toBeVisible();
  });

  test("a created: range outside the period says the period wins, and one click searches it", async ({
    page,
    request,
  }) => {
    const tag = marker("createdwin");
    const [oldId, newId] = await ingest(request, [
      {
        occurredAt: daysAgo(20).toISOString(),
        category: "service",
        action: "deploy",
        result: "done",
        description: tag,
      },
      { occurredAt: daysAgo(2).toISOString(), category: "service", action: "deploy", result: "done", description: tag },
    ]);
    await signIn(page, "manager@acme.test");

    // Wholly before the default 7 days: not "no entries", but why, and the way out.
    const outside = `${tag} created:${utcDay(daysAgo(21))}..${utcDay(daysAgo(19))}`;
    await page.goto(`${EXPLORER}?q=${encodeURIComponent(outside)}`);
    const notice = page.getByRole("status", { name: "Period and created: disagree" });
    await expect(notice).toContainText("The period wins");
    await expect(notice).toContainText("(Last 7 days)");
    await expect(page.getByText("The created: range is outside the period")).toBeVisible();
    await expect(rows(page)).toHaveCount(0);
    await page.getByRole("link", { name: "Search created: over any time" }).last().click();
    await expect(page).toHaveURL(/period=custom/);
    await expect(rows(page)).toHaveCount(1);
    await expect(page.locator(`tr[data-entry-id="${oldId}"]`)).toBeVisible();
    await expect(notice).toHaveCount(0);

    // Reaching into the period: the part inside is listed, and the notice says the rest is cut off.
    const partly = `${tag} created:${utcDay(daysAgo(21))}..${utcDay(daysAgo(0))}`;
    await page.goto(`${EXPLORER}?q=${encodeURIComponent(partly)}`);
    await expect(notice).toContainText("part of the created: range");
    await expect(rows(page)).toHaveCount(1);
    await expect(page.locator(`tr[data-entry-id="${newId}"]`)).toBeVisible();
    await notice.getByRole("link", { name: "Search created: over any time" }).click();
    await expect(rows(page)).toHaveCount(2);
  });
});

test.describe("paging and sorting", () => {
  test("sort by type follows the labels' alphabetical order, both ways", async ({ page, request }) => {
    const tag = marker("typesort");
    // In the enum's order these are device, auth, db_backup; by label Auth, DB Backup, Device.
    await ingest(
      request,
      ["device", "auth", "db_backup"].map((category, i) => ({
        occurredAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
        category,
        action: "check",
        result: "done",
        description: tag,
      })),
    );
    await signIn(page, "manager@acme.test");
    const typeCells = () => rows(page).locator("td:nth-child(3)");
    await page.goto(`${EXPLORER}?q=${tag}&sort=type&dir=asc`);
    await expect(typeCells()).toHaveText(["Auth", "DB Backup", "Device"]);
    await page.goto(`${EXPLORER}?q=${tag}&sort=type&dir=desc`);
    await expect(typeCells()).toHaveText(["Device", "DB Backup", "Auth"]);
  });
});

test.describe("new entries", () => {
  test("a bar counts entries newer than the first row and shows them, keeping the selection", async ({
    page,
    request,
  }) => {
    const tag = marker("newbar");
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const event = (occurredAt: string, action: string) => ({
      occurredAt,
      category: "service",
      action,
      result: "done",
      description: tag,
    });
    const [, olderId] = await ingest(request, [event(minutesAgo(1), "deploy"), event(minutesAgo(2), "deploy")]);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}`);
    await expect(rows(page)).toHaveCount(2);
    await page.locator(`tr[data-entry-id="${olderId}"]`).click();
    await expect(page).toHaveURL(new RegExp(`entry=${olderId}`));
    const details = page.getByRole("region", { name: "Log details" });
    await expect(details).toBeVisible();

    // Nothing new yet: the bar stays away (the e2e server asks every 2 s).
    const bar = page.getByTestId("new-entries-count");
    await expect(bar).toHaveCount(0);
    // One entry of the search and one of another search arrive.
    const [newId] = await ingest(request, [event(new Date().toISOString(), "rollback")]);
    await ingest(request, [{ ...event(new Date().toISOString(), "rollback"), description: marker("elsewhere") }]);
    await expect(bar).toHaveText("1 new entry");

    await page.getByRole("button", { name: "Show new entries" }).click();
    await expect(rows(page)).toHaveCount(3);
    await expect(rows(page).first()).toHaveAttribute("data-entry-id", newId!);
    await expect(bar).toHaveCount(0);
    await expect(page).toHaveURL(new RegExp(`entry=${olderId}`));
    await expect(details).toBeVisible();
    await expect(page.locator(`tr[data-entry-id="${olderId}"]`)).toHaveAttribute("aria-selected", "true");
  });
});
