import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { ingest } from "./helpers/ingest";
import { signedIn } from "./helpers/sign-in";

/*
 * Insights, driven as a person would: dragging across the histogram narrows the period of the
 * list, a facet value lands in the search box, and a burst of failed sign-ins from the demo seed
 * opens exactly its entries. Screenshots of the insights page and the explorer's compact chart in
 * light and dark mode, on a laptop and a phone, are written to .data/screens (and looked at), with
 * an automated check that no two axis labels overlap.
 */

const EXPLORER = "/orgs/acme/audit-logs";
const INSIGHTS = `${EXPLORER}/insights`;

const rows = (page: Page) => page.locator("tr[data-entry-id]");
const histogram = (page: Page) => page.getByRole("group", { name: "Entries over time" });

// The explorer's count, without the page's place in front of it ("1–50 of 1,089 entries").
async function countText(page: Page): Promise<string> {
  const status = (await page.getByRole("navigation", { name: "Pagination" }).getByRole("status").textContent()) ?? "";
  return status.replace(/^[\d,]+(–[\d,]+)? of /, "");
}

async function expectNoOverlappingLabels(page: Page) {
  const boxes = await page
    .locator(".recharts-cartesian-axis-tick text, [data-facet] li, [data-pattern-group]")
    .evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height, text: el.textContent ?? "" };
      }),
    );
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i]!;
      const b = boxes[j]!;
      const overlap = a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
      expect(overlap, `"${a.text}" overlaps "${b.text}"`).toBe(false);
    }
  }
}

test.describe("insights", () => {
  // Charts hydrate and answer pointer events slowly on a loaded 2-core machine.
  test.describe.configure({ timeout: 120_000 });

  test("dragging across the explorer's histogram narrows the period and the list", async ({ page }) => {
    await signedIn(page, "manager@acme.test", `${EXPLORER}?period=30d&size=200`);
    const chart = histogram(page);
    await expect(chart.locator(".recharts-bar-rectangle").first()).toBeVisible({ timeout: 30_000 });
    const before = await countText(page);
    const box = (await chart.locator(".recharts-surface").boundingBox())!;
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width * 0.55, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, y, { steps: 3 });
    await page.mouse.move(box.x + box.width * 0.85, y, { steps: 3 });
    await page.mouse.up();
    await expect(page).toHaveURL(/period=custom/);
    const url = new URL(page.url());
    expect(url.pathname).toBe(EXPLORER);
    expect(url.searchParams.get("size")).toBe("200");
    const from = Date.parse(url.searchParams.get("from")!);
    const to = Date.parse(url.searchParams.get("to")!);
    expect(to).toBeGreaterThan(from);
    await expect.poll(() => countText(page)).not.toBe(before);
    // Every listed entry lies in the chosen period.
    const times = await rows(page)
      .locator("time")
      .evaluateAll((els) => els.map((el) => el.getAttribute("datetime")));
    for (const time of times) {
      const ms = Date.parse(time!);
      expect(ms).toBeGreaterThanOrEqual(from);
      expect(ms).toBeLessThanOrEqual(to);
    }
  });

  test("a common word: the explorer's chart counts its newest 2,000 matches, says so and leads to Insights, which counts them all", async ({
    page,
    request,
  }) => {
    const marker = `cw${randomUUID().slice(0, 8)}`;
    // 2,100 matches within the last half hour, in three batches (the API takes 1,000 at a time).
    const events = Array.from({ length: 2_100 }, (_, i) => ({
      occurredAt: new Date(Date.now() - 60_000 - i * 800).toISOString(),
      category: "service",
      action: "deploy",
      result: i % 10 === 0 ? "failed" : "done",
      description: `${marker} deploy number ${i}`,
    }));
    for (let i = 0; i < events.length; i += 1_000) await ingest(request, events.slice(i, i + 1_000));

    await signedIn(page, "manager@acme.test", `${EXPLORER}?period=24h&q=${marker}`);
    const chart = page.locator('[data-insights-histogram="compact"]');
    await expect(chart.getByText(/^2,000 entries counted, /)).toBeVisible({ timeout: 30_000 });
    const sampled = chart.locator("[data-sampled]");
    await expect(sampled).toContainText("Sampled: only the newest matching entries are counted");
    mkdirSync(path.resolve(".data/screens"), { recursive: true });
    await chart.screenshot({ path: path.resolve(".data/screens/explorer-histogram-sampled.png") });
    await sampled.getByRole("link", { name: "Insights" }).click();
    await expect(page).toHaveURL((url) => url.pathname === INSIGHTS && url.searchParams.get("q") === marker);
    const full = page.locator('[data-insights-histogram="full"]');
    await expect(full.getByText(/^2,100 entries, /)).toBeVisible({ timeout: 30_000 });
    await expect(full.locator("[data-sampled]")).toHaveCount(0);
  });

  test("the keyboard chooses buckets too", async ({ page }) => {
    await signedIn(page, "manager@acme.test", `${INSIGHTS}?period=today`);
    const chart = histogram(page);
    await expect(chart.locator(".recharts-surface")).toBeVisible();
    await chart.focus();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.press("Shift+ArrowLeft");
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/insights\?period=custom/);
    const url = new URL(page.url());
    // Three quarter-hour buckets of today.
    expect(Date.parse(url.searchParams.get("to")!) + 1 - Date.parse(url.searchParams.get("from")!)).toBe(45 * 60_000);
  });

  test("a facet value opens the explorer with it in the search box and the list", async ({ page }) => {
    await signedIn(page, "manager@acme.test", INSIGHTS);
    // A period that ended an hour ago: the other specs sign in and ingest into acme meanwhile, and
    // the two counts compared here must not see different logs.
    const to = new Date(Date.now() - 3_600_000);
    const from = new Date(to.getTime() - 30 * 86_400_000);
    await page.goto(`${INSIGHTS}?period=custom&from=${from.toISOString()}&to=${to.toISOString()}`);
    const value = page.locator('[data-facet="Actions"] a[data-facet-value]').nth(1);
    const action = (await value.getAttribute("data-facet-value"))!;
    const count = Number((await value.locator("xpath=following-sibling::span[1]").textContent())!.replace(/\D/g, ""));
    await value.click();
    await expect(page).toHaveURL(new RegExp(`${EXPLORER}\\?`));
    const search = page.getByRole("combobox", { name: "Search logs" });
    // Quoted: that action whole, as the facet counted it (not the actions it is the start of).
    await expect(search).toHaveValue(`action:"${action}"`);
    await expect
      .poll(() => countText(page))
      .toBe(`${count.toLocaleString("en-US")} ${count === 1 ? "entry" : "entries"}`);
    await expect(rows(page).first()).toBeVisible();
    const actions = await rows(page).locator("td:nth-child(4) .cell-main").allTextContents();
    for (const text of actions) expect(text.toLowerCase()).toBe(action);
  });

  test("the security view lists a seeded burst of failed sign-ins and its link opens exactly those", async ({
    page,
  }) => {
    await signedIn(page, "manager@acme.test", `${INSIGHTS}?period=30d&size=200`);
    const burst = page.locator('[data-burst^="ip:"]').first();
    await expect(burst).toBeVisible();
    const count = Number(await burst.getAttribute("data-burst-count"));
    const ip = (await burst.getAttribute("data-burst"))!.slice(3);
    expect(count).toBeGreaterThanOrEqual(5);
    await burst.click();
    await expect(page).toHaveURL(/period=custom/);
    await expect(rows(page)).toHaveCount(count);
    await expect(page.getByRole("combobox", { name: "Search logs" })).toHaveValue(`action:login ip:${ip}`);
    const url = new URL(page.url());
    expect(url.searchParams.get("type")).toBe("auth");
    expect(url.searchParams.get("result")).toBe("failed");
  });

  for (const [width, height] of [
    [1366, 800],
    [390, 844],
  ] as const) {
    for (const scheme of ["light", "dark"] as const) {
      test(`screenshots at ${width}x${height}, ${scheme}`, async ({ page }) => {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme: scheme });
        await signedIn(page, "manager@acme.test", INSIGHTS);
        const dir = path.resolve(".data/screens");
        mkdirSync(dir, { recursive: true });
        await page.goto(`${INSIGHTS}?period=7d`);
        await expect(histogram(page).locator(".recharts-bar-rectangle").first()).toBeVisible({ timeout: 30_000 });
        await expectNoOverlappingLabels(page);
        await page.screenshot({ path: path.join(dir, `insights-${width}x${height}-${scheme}.png`) });
        await page.getByRole("heading", { name: "Facets" }).scrollIntoViewIfNeeded();
        await page.screenshot({ path: path.join(dir, `insights-facets-${width}x${height}-${scheme}.png`) });
        await page.getByRole("heading", { name: "Security patterns" }).evaluate((el) => el.scrollIntoView());
        await page.screenshot({ path: path.join(dir, `insights-security-${width}x${height}-${scheme}.png`) });
        await page.goto(EXPLORER);
        await expect(histogram(page).locator(".recharts-bar-rectangle").first()).toBeVisible({ timeout: 30_000 });
        await expectNoOverlappingLabels(page);
        await page.screenshot({ path: path.join(dir, `explorer-${width}x${height}-${scheme}.png`) });
      });
    }
  }
});
