import { mkdirSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import { signedIn } from "./helpers/sign-in";
import { ingest } from "./helpers/ingest";

/*
 * Pivots (a value of the table or the details added to the search or excluded from it), the
 * filter panel's multi-select and search-language filters, and the raw entry in the details.
 * Each test ingests entries with a marker of its own and narrows the explorer to it, so the tests
 * depend neither on the seed nor on each other.
 */

const EXPLORER = "/orgs/acme/audit-logs";
const SHOTS = "/tmp/explorer-shots";

const marker = (prefix: string) => `${prefix}${randomUUID().slice(0, 8)}`;
const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const rows = (page: Page) => page.locator("tr[data-entry-id]");
const row = (page: Page, id: string) => page.locator(`tr[data-entry-id="${id}"]`);
const searchBox = (page: Page) => page.getByRole("combobox", { name: "Search logs" });
const q = (page: Page) => new URL(page.url()).searchParams.get("q");

async function expectRows(page: Page, ids: string[]) {
  await expect(rows(page)).toHaveCount(ids.length);
  expect((await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-entry-id")))).sort()).toEqual(
    [...ids].sort(),
  );
}

/** Waits for the element's entrance animations to end (spinners, which never end, aside). */
async function animationsDone(locator: Locator) {
  await locator.evaluate((el) =>
    Promise.all(
      el
        .getAnimations({ subtree: true })
        .filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
}

// Wholly inside the viewport horizontally and, when given, inside another box (not clipped).
async function expectWithin(page: Page, locator: Locator, container?: Locator) {
  const box = (await locator.boundingBox())!;
  const width = page.viewportSize()!.width;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(width + 0.5);
  if (container) {
    const outer = (await container.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(outer.x - 0.5);
    expect(box.x + box.width).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
  }
}

/** Three entries of one test: two deploys to a service whose name needs quoting, one other. */
async function seedEntries(request: APIRequestContext, tag: string) {
  const [deployA, deployB, other] = await ingest(request, [
    {
      occurredAt: minutesAgo(1),
      category: "service",
      action: `deploy_${tag}`,
      result: "failed",
      level: "notice",
      description: `${tag} first deploy <img src=x onerror="window.__pwned=1">`,
      actor: { id: `u_${tag}`, name: "Kim Lee", email: `kim.${tag}@acme.test` },
      target: { type: "service", id: `svc_${tag}`, name: `check out ${tag}` },
      service: `Module ${tag}`,
      ip: "203.0.113.7",
      requestId: `req_${tag}`,
      correlationId: `op_${tag}`,
      params: { env: "production" },
      error: { code: "image_pull_failed", message: "image not found" },
    },
    {
      occurredAt: minutesAgo(2),
      category: "service",
      action: `deploy_${tag}`,
      result: "pending",
      level: "information",
      description: `${tag} second deploy`,
      actor: { name: "Ada Admin", email: `ada.${tag}@acme.test` },
      target: { type: "service", id: `svc2_${tag}`, name: `other ${tag}` },
      service: "Deployments",
      requestId: `req_${tag}_2`,
      correlationId: `op_${tag}`,
    },
    {
      occurredAt: minutesAgo(3),
      category: "auth",
      action: `login_${tag}`,
      result: "done",
      level: "information",
      description: `${tag} sign-in`,
      actor: { name: "Kim Lee", email: `kim.${tag}@acme.test` },
      ip: "10.1.2.3",
    },
  ]);
  return { deployA: deployA!, deployB: deployB!, other: other! };
}

test.describe("explorer pivots", () => {
  // Several page loads each, on a machine shared with other runs.
  test.describe.configure({ timeout: 120_000 });
  test("a table value is added to the search or excluded from it, with the mouse or the keyboard", async ({
    page,
    request,
  }) => {
    await page.setViewportSize({ width: 1366, height: 800 });
    const tag = marker("pv");
    const { deployA, deployB, other } = await seedEntries(request, tag);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}`);
    await expectRows(page, [deployA, deployB, other]);

    // Add: the action of the first row; its exact value, quoted, next to the words already there.
    await row(page, deployA).hover();
    await row(page, deployA)
      .getByRole("button", { name: `Search by action deploy_${tag}` })
      .click();
    const menu = page.getByRole("menu", { name: "Search by action" });
    await expect(menu).toBeVisible();
    await menu.getByRole("menuitem", { name: `Add action deploy_${tag} to the search` }).click();
    await expect(page).toHaveURL((url) => url.searchParams.get("q") === `${tag} action:"deploy_${tag}"`);
    await expect(searchBox(page)).toHaveValue(`${tag} action:"deploy_${tag}"`);
    await expectRows(page, [deployA, deployB]);

    // Exclude, from the keyboard: Tab from the row to its pivot buttons, Enter opens the menu.
    await row(page, deployB).click();
    await page.keyboard.press("Escape");
    await row(page, deployB).focus();
    const targetButton = row(page, deployB).getByRole("button", { name: `Search by target other ${tag}` });
    for (let i = 0; i < 6 && !(await targetButton.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    await expect(targetButton).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("menu")).toBeVisible();
    await page.keyboard.press("ArrowDown");
    await expect(page.getByRole("menuitem", { name: `Exclude target other ${tag} from the search` })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(
      (url) => url.searchParams.get("q") === `${tag} action:"deploy_${tag}" -resource:"other ${tag}"`,
    );
    await expectRows(page, [deployA]);
    // The excluded entry's details are closed: it is no longer in the list.
    await expect(page).not.toHaveURL(/entry=/);
    // Escape closes a menu without navigating, and gives the focus back to its button.
    await row(page, deployA).hover();
    const actor = row(page, deployA).getByRole("button", { name: "Search by actor Kim Lee" });
    await actor.click();
    await expect(page.getByRole("menu")).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("menu")).toBeHidden();
    await expect(actor).toBeFocused();
    expect(q(page)).toBe(`${tag} action:"deploy_${tag}" -resource:"other ${tag}"`);
  });

  test("details values pivot exactly: a request id whole, not the ids it begins; the entry stays open", async ({
    page,
    request,
  }) => {
    await page.setViewportSize({ width: 1366, height: 800 });
    const tag = marker("pd");
    const { deployA, deployB, other } = await seedEntries(request, tag);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}&entry=${deployA}`);
    const details = page.getByRole("region", { name: "Log details" });
    await expect(details.locator(`[data-details-for="${deployA}"]`)).toBeVisible();

    // req_<tag> is also the start of req_<tag>_2: the pivot names it whole.
    await details.getByRole("link", { name: `Add request id req_${tag} to the search` }).click();
    await expect(page).toHaveURL((url) => url.searchParams.get("q") === `${tag} request_id:"req_${tag}"`);
    await expectRows(page, [deployA]);
    await expect(page).toHaveURL(new RegExp(`entry=${deployA}`));
    await expect(details.locator(`[data-details-for="${deployA}"]`)).toBeVisible();

    // A service with a space and capitals: quoted, lower-cased, matched whole.
    await page.goto(`${EXPLORER}?q=${tag}&entry=${deployA}`);
    await details.getByRole("link", { name: `Add service Module ${tag} to the search` }).click();
    await expect(page).toHaveURL((url) => url.searchParams.get("q") === `${tag} service:"module ${tag}"`);
    await expectRows(page, [deployA]);

    // The correlation id excluded: both steps of the operation go, the details close.
    await page.goto(`${EXPLORER}?q=${tag}&entry=${deployA}`);
    await details.getByRole("link", { name: `Exclude correlation id op_${tag} from the search` }).click();
    await expect(page).toHaveURL((url) => url.searchParams.get("q") === `${tag} -correlation_id:op_${tag}`);
    await expectRows(page, [other]);
    await expect(page).not.toHaveURL(/entry=/);
    await expect(details).toBeHidden();

    // The actor by email, and the IP: the search box shows what the links wrote, and it applies.
    await page.goto(`${EXPLORER}?q=${tag}&entry=${other}`);
    await details.getByRole("link", { name: `Exclude actor Kim Lee from the search` }).click();
    await expect(page).toHaveURL((url) => url.searchParams.get("q") === `${tag} -user:kim.${tag}@acme.test`);
    await expectRows(page, [deployB]);
  });

  test("the panel offers result, level and service with several values; type: takes a comma list", async ({
    page,
    request,
  }) => {
    await page.setViewportSize({ width: 1366, height: 800 });
    const tag = marker("pf");
    const { deployA, deployB, other } = await seedEntries(request, tag);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}`);
    await expectRows(page, [deployA, deployB, other]);

    await page.getByRole("button", { name: "Filter" }).click();
    const panel = page.getByRole("dialog", { name: "Filters" });
    await panel.getByRole("checkbox", { name: "Failure" }).check();
    await panel.getByRole("checkbox", { name: "Pending" }).check();
    await panel.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/result=failed%2Cpending|result=failed,pending/);
    await expectRows(page, [deployA, deployB]);

    await page.getByRole("button", { name: "Filter" }).click();
    await expect(panel.getByRole("checkbox", { name: "Failure" })).toBeChecked();
    await expect(panel.getByRole("checkbox", { name: "Pending" })).toBeChecked();
    await panel.getByRole("checkbox", { name: "Notice" }).check();
    await panel.getByRole("checkbox", { name: "Information" }).check();
    await panel.getByRole("textbox", { name: "Service or module" }).fill(`Module ${tag}, Deployments`);
    await panel.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(
      (url) =>
        url.searchParams.get("q") ===
        `${tag} level:notice level:information service:"module ${tag}" service:deployments`,
    );
    await expectRows(page, [deployA, deployB]);

    await page.getByRole("button", { name: "Filter" }).click();
    await panel.getByRole("checkbox", { name: "Information" }).uncheck();
    await expect(panel.getByRole("textbox", { name: "Service or module" })).toHaveValue(`module ${tag}, deployments`);
    await panel.getByRole("button", { name: "Apply" }).click();
    await expectRows(page, [deployA]);

    // Reset clears the panel's search-language filters too, and keeps the words.
    await page.getByRole("button", { name: "Filter" }).click();
    await panel.getByRole("button", { name: "Reset" }).click();
    await expect(page).toHaveURL((url) => url.searchParams.get("q") === tag && !url.searchParams.has("result"));
    await expectRows(page, [deployA, deployB, other]);

    // A comma list, as type= takes it, is applied rather than refused.
    await searchBox(page).fill(`${tag} type:auth,service -result:done,pending`);
    await searchBox(page).press("Enter");
    await expectRows(page, [deployA]);
    await expect(page.getByText("not applied")).toHaveCount(0);
    await searchBox(page).fill(`${tag} type:auth,nope`);
    await searchBox(page).press("Enter");
    await expect(page.getByText(`"nope" in "type:auth,nope" is not a category`)).toBeVisible();
    await expectRows(page, [deployA, deployB, other]);
  });

  test("the details show the raw entry as text, copy it and the permalink", async ({ page, request, context }) => {
    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await page.setViewportSize({ width: 1366, height: 800 });
    const tag = marker("pr");
    const { deployA } = await seedEntries(request, tag);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}&entry=${deployA}`);
    const details = page.getByRole("region", { name: "Log details" });
    const raw = details.getByLabel("Raw entry (JSON)");
    await expect(raw).toContainText(`"action": "deploy_${tag}"`);
    await expect(raw).toContainText('onerror=\\"window.__pwned=1\\"');
    // Text, never markup: no image element came from the description.
    await expect(details.locator("img")).toHaveCount(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();

    // Folded: the whole text is one click away and is what the copy button copies.
    await details.getByRole("button", { name: /^Show all \d+ lines$/ }).click();
    await expect(raw).toContainText('"code": "image_pull_failed"');
    await details.getByRole("button", { name: "Copy JSON" }).click();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText())) as Record<string, unknown>;
    expect(copied).toMatchObject({
      category: "service",
      action: `deploy_${tag}`,
      result: "failed",
      level: "notice",
      actor: { id: `u_${tag}`, name: "Kim Lee", email: `kim.${tag}@acme.test` },
      target: { type: "service", id: `svc_${tag}`, name: `check out ${tag}` },
      requestId: `req_${tag}`,
      correlationId: `op_${tag}`,
      params: { env: "production" },
      error: { code: "image_pull_failed", message: "image not found" },
    });
    expect(copied).not.toHaveProperty("id");
    // What was copied is accepted by the ingestion API as it is.
    const again = await ingest(request, [{ ...copied, description: `${tag} replayed` }]);
    expect(again).toHaveLength(1);

    await details.getByRole("button", { name: "Copy link" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      new URL(`${EXPLORER}/${deployA}`, page.url()).toString(),
    );
  });

  test("on the selected row the pivot buttons cover no text, long values cut before them", async ({
    page,
    request,
  }) => {
    await page.setViewportSize({ width: 1366, height: 800 });
    const tag = marker("pw");
    const long = "x".repeat(40);
    const [id] = await ingest(request, [
      {
        occurredAt: minutesAgo(1),
        category: "service",
        action: `rotate_${tag}_${long}`,
        result: "done",
        description: `${tag} ${long} ${long}`,
        actor: { name: `Kim ${long}`, email: `kim.${long}.${tag}@acme.test` },
        target: { type: "service", id: `svc_${tag}`, name: `target ${tag} ${long}` },
        service: `Module ${tag} ${long}`,
      },
    ]);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}&entry=${id}`);
    await expect(page.getByRole("region", { name: "Log details" })).toBeVisible();
    const selected = row(page, id!);
    await expect(selected).toHaveAttribute("data-state", "selected");
    const cells = selected.locator("td:has(> .cell-pivot)");
    let checked = 0;
    for (const cell of await cells.all()) {
      const button = cell.locator(".pivot-trigger");
      await expect(button).toBeVisible();
      const edge = (await button.boundingBox())!.x;
      // Every line of text in the cell ends (its ellipsis included) before the button starts.
      const ends = await cell
        .locator(".cell-main, .cell-sub, .result-badge")
        .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().right));
      for (const end of ends) expect(end).toBeLessThanOrEqual(edge + 0.5);
      checked += ends.length;
    }
    // The actor's two lines, the action's two, the target's, at least.
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  for (const [width, height] of [
    [1366, 800],
    [390, 844],
  ] as const) {
    test(`the pivot menu and the raw entry fit at ${width}x${height}, light and dark`, async ({ page, request }) => {
      await page.setViewportSize({ width, height });
      mkdirSync(SHOTS, { recursive: true });
      const tag = marker("ps");
      const { deployA } = await seedEntries(request, tag);
      await signedIn(page, "manager@acme.test", EXPLORER);
      for (const scheme of ["light", "dark"] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(`${EXPLORER}?q=${tag}`);
        await expect(rows(page)).toHaveCount(3);
        const cell = row(page, deployA).getByRole("button", { name: `Search by action deploy_${tag}` });
        await cell.scrollIntoViewIfNeeded();
        await row(page, deployA).hover();
        await cell.click();
        const menu = page.getByRole("menu");
        await expect(menu).toBeVisible();
        for (const item of await menu.getByRole("menuitem").all()) await expectWithin(page, item);
        await page.screenshot({ path: path.join(SHOTS, `pivot-menu-${width}x${height}-${scheme}.png`) });
        await page.keyboard.press("Escape");

        await page.goto(`${EXPLORER}?q=${tag}&entry=${deployA}`);
        // A region beside the table on wide screens, a dialog sheet on phones.
        const details =
          width >= 1024
            ? page.getByRole("region", { name: "Log details" })
            : page.getByRole("dialog", { name: "Log details" });
        const raw = details.getByLabel("Raw entry (JSON)");
        await expect(raw).toBeVisible();
        // On a phone the sheet slides in: measured mid-slide, its contents lie past the screen's edge.
        await animationsDone(details);
        const pivotAction = details.getByRole("link", { name: `Add action deploy_${tag} to the search` });
        await expectWithin(page, pivotAction, details);
        await page.screenshot({ path: path.join(SHOTS, `details-fields-${width}x${height}-${scheme}.png`) });
        await raw.scrollIntoViewIfNeeded();
        await expectWithin(page, raw, details);
        const pivot = details.getByRole("link", { name: `Add request id req_${tag} to the search` });
        await expectWithin(page, pivot, details);
        await expectWithin(page, details.getByRole("button", { name: "Copy JSON" }), details);
        await page.screenshot({ path: path.join(SHOTS, `details-raw-${width}x${height}-${scheme}.png`) });
      }
    });
  }
});
