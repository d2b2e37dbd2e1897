import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { parseCsv } from "../helpers/parse-csv";
import { TIME_ZONE_COOKIE } from "@/lib/preferences/time-zone-cookie";
import { exportAs, openExport } from "./helpers/export";
import { ingest } from "./helpers/ingest";
import { sessionFile, signIn, signedIn } from "./helpers/sign-in";
import { instantIn, wallClock } from "./helpers/wall-clock";

/*
 * What a reader chooses for themselves (issue 19): one clock, the reader's time zone, reported by
 * the browser at sign-in or chosen in the user menu, for every time the explorer shows (rendered
 * so on the server) and for the days a period or a custom range bounds, run in three zones; and
 * the explorer's columns, row height and histogram, kept per person.
 */

const EXPLORER = "/orgs/acme/audit-logs";
const DAY_MS = 86_400_000;

const timeHeader = (page: Page) => page.getByRole("columnheader", { name: /^Time/ });
const row = (page: Page, id: string) => page.locator(`tr[data-entry-id="${id}"]`);

for (const zone of ["UTC", "America/Los_Angeles", "Asia/Tokyo"] as const) {
  test.describe(`read in ${zone}`, () => {
    test.use({ timezoneId: zone });

    test("times are rendered on the server in the zone reported at sign-in, and a custom day is that zone's day", async ({
      page,
      request,
    }) => {
      const tag = `rtz${randomUUID().slice(0, 8)}`;
      // Yesterday in the reader's zone: an entry at its first half hour, one just before it began.
      const yesterday = wallClock(new Date(Date.now() - DAY_MS).toISOString(), zone).slice(0, 10);
      const inside = instantIn(yesterday, "00:30", zone);
      const before = new Date(Date.parse(instantIn(yesterday, "00:00", zone)) - 30 * 60_000).toISOString();
      const [insideId, beforeId] = await ingest(
        request,
        [inside, before].map((occurredAt, i) => ({
          occurredAt,
          category: "service",
          action: "deploy",
          result: "done",
          description: `${tag} ${i === 0 ? "inside" : "before"}`,
        })),
      );

      // Through the form, as a person signs in: the sign-in page reports the zone.
      await signIn(page, "manager@acme.test", undefined, `${EXPLORER}?q=${tag}`);
      await expect(timeHeader(page)).toContainText(`(${zone})`);
      await expect(row(page, insideId!).locator("time")).toHaveText(wallClock(inside, zone));
      await expect(row(page, insideId!).locator("time")).toHaveAttribute("title", `${wallClock(inside, "UTC")} UTC`);

      // The server's own HTML already says so: no UTC first, no flash after hydration.
      const html = await (await page.request.get(`${EXPLORER}?q=${tag}`)).text();
      expect(html).toContain(wallClock(inside, zone));
      expect(html).toMatch(new RegExp(`\\((<!-- -->)?${zone}(<!-- -->)?\\)`));

      // A custom day through the panel is the reader's day, and the link keeps the zone.
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByRole("radio", { name: "Custom" }).check();
      await page.getByLabel("Start date").fill(yesterday);
      await page.getByLabel("End date").fill(yesterday);
      await page.getByRole("button", { name: "Apply" }).click();
      await expect(page).toHaveURL(new RegExp(`tz=${encodeURIComponent(zone).replace("%2F", "(%2F|/)")}`));
      await expect(row(page, insideId!)).toBeVisible();
      await expect(row(page, beforeId!)).toHaveCount(0);

      // The export of that day: named by the reader's day, its time column in the reader's zone.
      const download = await exportAs(page, (await openExport(page)).dialog, "CSV");
      expect(download.suggestedFilename()).toBe(`audit-logs-acme-${yesterday}_${yesterday}.csv`);
      const { rows } = parseCsv((await readFile((await download.path())!)).subarray(3).toString("utf8"));
      const timeColumn = rows[0]!.indexOf(`Time (${zone})`);
      expect(timeColumn).toBe(1);
      const exported = rows.find((r) => r[0] === insideId);
      expect(exported?.[timeColumn]).toMatch(new RegExp(`^${yesterday}T00:30:00\\.000[+-]\\d\\d:\\d\\d$`));
      expect(Date.parse(exported![timeColumn]!)).toBe(Date.parse(inside));
      expect(rows.some((r) => r[0] === beforeId)).toBe(false);
    });
  });
}

test.describe("a browser the server has not heard from", () => {
  test.use({ timezoneId: "Asia/Tokyo" });

  test("is asked once: the page is rendered again in its zone and the zone is remembered", async ({ page }) => {
    const { cookies } = JSON.parse(readFileSync(sessionFile("manager@acme.test"), "utf8")) as {
      cookies: Parameters<ReturnType<Page["context"]>["addCookies"]>[0];
    };
    await page.context().addCookies(cookies.filter((c) => c.name !== TIME_ZONE_COOKIE));
    await page.goto(EXPLORER);
    await expect(timeHeader(page)).toContainText("(Asia/Tokyo)");
    const remembered = (await page.context().cookies()).find((c) => c.name === TIME_ZONE_COOKIE);
    expect(remembered?.value).toBe("Asia/Tokyo");
  });
});

test.describe("a zone chosen in the user menu", () => {
  test.use({ timezoneId: "America/Los_Angeles" });

  // The globex auditor: a preference is the person's, and no other test reads globex's times.
  test("wins over the browser's, is kept for the next visit, and can follow the browser again", async ({
    page,
    browser,
  }) => {
    await signedIn(page, "auditor@globex.test", "/orgs/globex/audit-logs");
    await expect(timeHeader(page)).toContainText("(America/Los_Angeles)");
    const firstTime = page.locator("tbody tr time").first();
    const instant = (await firstTime.getAttribute("datetime"))!;
    await expect(firstTime).toHaveText(wallClock(instant, "America/Los_Angeles"));

    const choose = async (name: string | RegExp, search: string) => {
      await page.getByRole("button", { name: "User menu" }).click();
      await page.getByRole("menuitem", { name: /Time zone/ }).click();
      const dialog = page.getByRole("dialog", { name: "Time zone" });
      await dialog.getByRole("combobox", { name: "Search time zones" }).fill(search);
      await dialog.getByRole("option", { name }).click();
      await expect(dialog).toBeHidden();
    };
    try {
      // A zone the browser lists under an older name is found by the name typed in full.
      await page.getByRole("button", { name: "User menu" }).click();
      await page.getByRole("menuitem", { name: /Time zone/ }).click();
      const dialog = page.getByRole("dialog", { name: "Time zone" });
      await dialog.getByRole("combobox", { name: "Search time zones" }).fill("Asia/Kolkata");
      await expect(dialog.getByRole("option", { name: /^Asia\/(Kolkata|Calcutta)$/ })).toBeVisible();
      await page.keyboard.press("Escape");
      await expect(dialog).toBeHidden();

      await choose("Asia/Tokyo", "tokyo");
      await expect(page.getByText("Times are shown in Asia/Tokyo.")).toBeVisible();
      await expect(timeHeader(page)).toContainText("(Asia/Tokyo)");
      await expect(firstTime).toHaveText(wallClock(instant, "Asia/Tokyo"));

      // Another browser, another zone: the choice is the person's, so it applies there too.
      const elsewhere = await browser.newContext({ timezoneId: "Europe/Berlin" });
      const other = await elsewhere.newPage();
      await signedIn(other, "auditor@globex.test", "/orgs/globex/audit-logs");
      await expect(timeHeader(other)).toContainText("(Asia/Tokyo)");
      await elsewhere.close();
    } finally {
      await choose(/^Follow this browser/, "browser");
    }
    await expect(timeHeader(page)).toContainText("(America/Los_Angeles)");
    await expect(firstTime).toHaveText(wallClock(instant, "America/Los_Angeles"));
  });
});

test.describe("the explorer's columns, row height and histogram", () => {
  const headers = (page: Page) => page.locator("table.audit-table thead th");

  // The same account as above (tests of a file run in order): the layout is the person's.
  test("are chosen in View, kept for the next visit, and the result stays whole", async ({ page }) => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await signedIn(page, "auditor@globex.test", "/orgs/globex/audit-logs");
    await expect(headers(page)).toHaveText([/^Time/, "Actor", "Type", "Action", "Target", "Result"]);

    const view = page.getByRole("button", { name: "View: columns, rows and chart" });
    const column = (name: string) => page.getByRole("menuitemcheckbox", { name });
    const firstRow = page.locator("tbody tr[data-entry-id]").first();
    const comfortableHeight = (await firstRow.boundingBox())!.height;
    try {
      await view.click();
      await expect(column("Time always")).toBeDisabled();
      await column("Service").click();
      await column("Level").click();
      // The menu stays open while columns are switched.
      await column("Actor").click();
      await expect(column("Actor")).toHaveAttribute("aria-checked", "false");
      await page.getByRole("menuitemradio", { name: "Compact" }).click();
      await expect(page.getByRole("menu").getByRole("status")).toHaveText("Kept for your next visit");
      await page.keyboard.press("Escape");
      await expect(headers(page)).toHaveText([/^Time/, "Type", "Service", "Action", "Target", "Level", "Result"]);
      await expect(page.locator("table.audit-table")).toHaveAttribute("data-density", "compact");
      expect((await firstRow.boundingBox())!.height).toBeLessThan(comfortableHeight);

      // Kept: the server renders the same layout on the next visit (once every change was saved).
      await expect(view).not.toHaveAttribute("aria-busy", "true");
      await page.reload();
      await expect(headers(page)).toHaveText([/^Time/, "Type", "Service", "Action", "Target", "Level", "Result"]);
      await expect(page.locator("table.audit-table")).toHaveAttribute("data-density", "compact");

      // With seven columns at 1366x800 the result is shown whole, and its pivot button, shown on
      // hover, sits beside the badge rather than over it.
      const result = firstRow.locator('td[data-col="result"]');
      await expect(result).toBeVisible();
      expect(await result.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
      await result.hover();
      const badge = (await result.locator(".result-badge").boundingBox())!;
      const trigger = (await result.locator(".pivot-trigger").boundingBox())!;
      expect(badge.x + badge.width).toBeLessThanOrEqual(trigger.x + 0.5);
      await page.screenshot({ path: "/tmp/explorer-shots/columns-compact-1366x800.png" });
    } finally {
      await view.click();
      for (const [name, on] of [
        ["Actor", true],
        ["Service", false],
        ["Level", false],
      ] as const) {
        if ((await column(name).getAttribute("aria-checked")) !== String(on)) await column(name).click();
      }
      await page.getByRole("menuitemradio", { name: "Comfortable" }).click();
      await page.keyboard.press("Escape");
      await expect(view).not.toHaveAttribute("aria-busy", "true");
    }
    await page.reload();
    await expect(headers(page)).toHaveText([/^Time/, "Actor", "Type", "Action", "Target", "Result"]);
  });
  test("the histogram is hidden in View, not rendered while hidden, and shown again", async ({ page }) => {
    await page.setViewportSize({ width: 1366, height: 800 });
    await signedIn(page, "auditor@globex.test", "/orgs/globex/audit-logs");
    const region = page.getByRole("region", { name: "Histogram of this search" });
    const chart = region.getByRole("group", { name: "Entries over time" });
    const view = page.getByRole("button", { name: "View: columns, rows and chart" });
    const toggle = page.getByRole("menuitemcheckbox", { name: "Entries over time" });
    await expect(chart).toBeVisible();
    try {
      await view.click();
      await expect(toggle).toHaveAttribute("aria-checked", "true");
      await toggle.click();
      await expect(region).toHaveCount(0);
      await expect(page.getByRole("menu").getByRole("status")).toHaveText("Kept for your next visit");
      await page.keyboard.press("Escape");
      await expect(view).not.toHaveAttribute("aria-busy", "true");

      // Kept, and not read: the page's HTML and its streamed payload carry no histogram (the
      // chart's props name countedFromMs).
      const html = await (await page.request.get("/orgs/globex/audit-logs")).text();
      expect(html).toContain("Who did what in");
      expect(html).not.toContain("Histogram of this search");
      expect(html).not.toContain("countedFromMs");
      await page.reload();
      await expect(page.locator("tbody tr[data-entry-id]").first()).toBeVisible();
      await expect(region).toHaveCount(0);
    } finally {
      await view.click();
      if ((await toggle.getAttribute("aria-checked")) !== "true") await toggle.click();
      await page.keyboard.press("Escape");
      await expect(view).not.toHaveAttribute("aria-busy", "true");
    }
    // Shown again: read on the server once the choice is saved, without a reload.
    await expect(chart).toBeVisible();
    const html = await (await page.request.get("/orgs/globex/audit-logs")).text();
    expect(html).toContain("Histogram of this search");
    expect(html).toContain("countedFromMs");
  });
});
