import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Locator, type Page, type Request } from "@playwright/test";
import { e2eApiKeys, signedIn } from "./helpers/sign-in";
import { wallClockInputs } from "./helpers/wall-clock";

/*
 * The log explorer, driven as a person would: the filter panel, the debounced search, the details
 * view, deep links and the keyboard. Entries the tests look for are ingested through the API with
 * a marker of their own, so the tests do not depend on the seeded data (or on each other).
 */

const NOTICE = "If you cannot access this feature, please request permission from your organization manager.";
const NOT_FOUND =
  "This entry could not be found. It may not exist, may be in another organization, or may have been removed by the retention policy.";
const EXPLORER = "/orgs/acme/audit-logs";

type EventInput = Record<string, unknown>;

async function ingest(
  request: APIRequestContext,
  events: EventInput[],
  org: "acme" | "globex" = "acme",
): Promise<string[]> {
  const response = await request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys()[org]}` },
    data: { events },
  });
  expect(response.status(), await response.text()).toBe(201);
  const body = (await response.json()) as { entries: { id: string }[] };
  return body.entries.map((e) => e.id);
}

function marker(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

const rows = (page: Page) => page.locator("tr[data-entry-id]");
const row = (page: Page, id: string) => page.locator(`tr[data-entry-id="${id}"]`);
const details = (page: Page) => page.getByRole("region", { name: "Log details" });
const searchBox = (page: Page) => page.getByRole("combobox", { name: "Search logs" });

// The page scrolls the entry into view once it has hydrated: wait until the row lies wholly
// inside the viewport vertically (the table may be wider than the screen beside the details).
async function expectInViewport(page: Page, locator: Locator) {
  const height = page.viewportSize()?.height ?? 0;
  await expect
    .poll(async () => {
      const box = await locator.boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= height;
    })
    .toBe(true);
}

test.describe("explorer", () => {
  test(
    "filters applied through the panel narrow the list, show as chips and reset",
    { tag: "@storage" },
    async ({ page, request }) => {
      const tag = marker("filter");
      await ingest(request, [
        {
          occurredAt: minutesAgo(1),
          category: "auth",
          action: "login",
          result: "failed",
          description: `${tag} bad password`,
          actor: { email: "kim@acme.test", name: "Kim Lee" },
        },
        {
          occurredAt: minutesAgo(2),
          category: "service",
          action: "deploy",
          result: "failed",
          description: `${tag} deploy`,
        },
      ]);
      await signedIn(page, "manager@acme.test", EXPLORER);
      await expect(rows(page).first()).toBeVisible();

      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByRole("radio", { name: "Last 30 days" }).check();
      await page.getByRole("checkbox", { name: "Auth", exact: true }).check();
      await page.getByRole("checkbox", { name: "Failure" }).check();
      await page.getByRole("button", { name: "Apply" }).click();

      await expect(page).toHaveURL(/period=30d/);
      await expect(page).toHaveURL(/type=auth/);
      await expect(page).toHaveURL(/result=failed/);
      await expect(rows(page).first()).toBeVisible();
      const count = await rows(page).count();
      expect(count).toBeGreaterThan(0);
      for (let i = 0; i < count; i++) {
        await expect(rows(page).nth(i).locator("td").nth(2)).toHaveText("Auth");
        await expect(rows(page).nth(i).locator("td").nth(5)).toContainText("Failure");
      }

      const chips = page.getByRole("group", { name: "Active filters" });
      await expect(chips.getByRole("link", { name: "Remove filter Type: Auth" })).toBeVisible();
      await chips.getByRole("link", { name: "Remove filter Type: Auth" }).click();
      await expect(page).not.toHaveURL(/type=/);
      await expect(page).toHaveURL(/result=failed/);

      await chips.getByRole("link", { name: "Reset filters" }).click();
      await expect(page).not.toHaveURL(/result=|period=/);
      // Back at the defaults: the default period is still a chip (it is in force), with no reset.
      await expect(chips.getByRole("link", { name: "Remove filter Period: Last 7 days" })).toBeVisible();
      await expect(chips.getByRole("link", { name: "Reset filters" })).toHaveCount(0);
    },
  );

  test("the user filter finds members by name or email", async ({ page }) => {
    await signedIn(page, "manager@acme.test", EXPLORER);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByLabel("Find a user by name, email or id").fill("manager");
    const option = page.getByRole("option").filter({ hasText: "manager@acme.test" });
    await expect(option).toBeVisible();
    await option.click();
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/user=manager(%40|@)acme\.test/);
    // Signing in just now is itself an entry by this user.
    await expect(rows(page).first()).toBeVisible();
    const count = await rows(page).count();
    for (let i = 0; i < count; i++)
      await expect(rows(page).nth(i).locator("td").nth(1)).toContainText("manager@acme.test");
  });

  test(
    "typing a search refreshes the results with no Enter and replaces the URL",
    { tag: "@storage" },
    async ({ page, request }) => {
      const tag = marker("needle");
      const [id] = await ingest(request, [
        {
          occurredAt: minutesAgo(1),
          category: "service",
          action: "deploy",
          result: "done",
          target: { type: "service", name: tag },
        },
      ]);
      await signedIn(page, "manager@acme.test", EXPLORER);
      await expect(rows(page).first()).toBeVisible();
      const historyBefore = await page.evaluate(() => history.length);

      await searchBox(page).click();
      await searchBox(page).pressSequentially(tag, { delay: 40 });
      await expect(page).toHaveURL(new RegExp(`q=${tag}`));
      await expect(rows(page)).toHaveCount(1);
      await expect(rows(page).first()).toHaveAttribute("data-entry-id", id!);
      // One replaced entry for the whole search, not one per keystroke.
      expect(await page.evaluate(() => history.length)).toBe(historyBefore);

      // A qualifier the language does not know is named beside the bar and not applied.
      await searchBox(page).pressSequentially(" colour:blue", { delay: 20 });
      await expect(page.getByText(/colour:blue/).first()).toBeVisible();
      await expect(page.getByText(/not applied/)).toBeVisible();
      await expect(rows(page)).toHaveCount(1);

      // Reload gives the same view.
      await page.reload();
      await expect(searchBox(page)).toHaveValue(new RegExp(tag));
      await expect(rows(page)).toHaveCount(1);
    },
  );

  test("a late search response never overwrites a newer one", async ({ page, request }) => {
    const first = marker("late-first");
    const second = marker("late-second");
    await ingest(request, [
      {
        occurredAt: minutesAgo(1),
        category: "service",
        action: "deploy",
        result: "done",
        target: { type: "service", name: first },
      },
      {
        occurredAt: minutesAgo(1),
        category: "service",
        action: "deploy",
        result: "done",
        target: { type: "service", name: second },
      },
    ]);
    await signedIn(page, "manager@acme.test", EXPLORER);
    await expect(rows(page).first()).toBeVisible();
    // The server answers the first search slowly: its answer arrives after the second one's.
    let delayed = 0;
    let settled = 0;
    const isFirst = (request: Request) => new URL(request.url()).searchParams.get("q") === first;
    page.on("requestfinished", (request) => void (isFirst(request) && settled++));
    page.on("requestfailed", (request) => void (isFirst(request) && settled++));
    await page.route(
      (url) => url.pathname === EXPLORER && url.searchParams.get("q") === first,
      async (route) => {
        delayed++;
        await new Promise((resolve) => setTimeout(resolve, 2500));
        await route.continue().catch(() => {});
      },
    );
    await searchBox(page).fill(first);
    await expect.poll(() => delayed).toBeGreaterThan(0);
    await searchBox(page).fill(second);
    await expect(page).toHaveURL(new RegExp(`q=${second}`));
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toContainText(second);
    // Wait until the slow first answer has reached the page (or was dropped by it), then check that
    // it did not replace the second search's result.
    await expect.poll(() => settled).toBeGreaterThanOrEqual(delayed);
    await expect(page).toHaveURL(new RegExp(`q=${second}`));
    await expect(searchBox(page)).toHaveValue(second);
    await expect(rows(page)).toHaveCount(1);
    await expect(rows(page).first()).toContainText(second);
  });

  test(
    "details open on click and on Enter, with the comparison and the timeline",
    { tag: "@storage" },
    async ({ page, request }) => {
      const tag = marker("details");
      const correlationId = `op_${tag}`;
      const [pendingId, processingId, doneId] = await ingest(request, [
        {
          occurredAt: minutesAgo(3),
          category: "service",
          action: "deploy",
          result: "pending",
          correlationId,
          target: { type: "service", name: tag },
        },
        {
          occurredAt: minutesAgo(2),
          category: "service",
          action: "deploy",
          result: "processing",
          correlationId,
          target: { type: "service", name: tag },
        },
        {
          occurredAt: minutesAgo(1),
          category: "service",
          action: "deploy",
          description: `deploy ${tag} to production`,
          result: "done",
          level: "notice",
          service: "Deployments",
          ip: "203.0.113.7",
          userAgent: "kiops-cli/2.3",
          requestId: `req_${tag}`,
          correlationId,
          actor: { id: "u_123", name: "Kim Lee", email: "kim@acme.test" },
          target: { type: "service", id: "svc_9", name: tag },
          params: { env: "production" },
          before: { version: "1.4.2", replicas: 2, old: true },
          after: { version: "1.5.0", replicas: 2, added: "yes" },
        },
      ]);
      await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}`);
      await expect(rows(page)).toHaveCount(3);

      await row(page, doneId!).click();
      const panel = details(page);
      await expect(panel).toBeVisible();
      await expect(page).toHaveURL(new RegExp(`entry=${doneId}`));
      await expect(panel).toContainText(`deploy ${tag} to production`);
      await expect(panel).toContainText("203.0.113.7");
      await expect(panel).toContainText("kiops-cli/2.3");
      await expect(panel).toContainText(`req_${tag}`);
      await expect(panel).toContainText(correlationId);
      await expect(panel).toContainText("Deployments");
      await expect(panel.getByLabel("Request parameters")).toContainText('"env": "production"');
      const changed = panel.getByRole("list", { name: "Changed fields" });
      await expect(changed.locator("[data-diff=changed]")).toContainText("version");
      await expect(changed.locator("[data-diff=added]")).toContainText("added");
      await expect(changed.locator("[data-diff=removed]")).toContainText("old");
      const timeline = panel.getByRole("list", { name: "Operation timeline" });
      await expect(timeline.getByRole("link")).toHaveCount(3);
      await expect(timeline.getByRole("link").first()).toContainText("Pending");
      await expect(timeline.getByRole("link").nth(1)).toContainText("Processing");
      await expect(timeline.getByRole("link").nth(2)).toContainText("Success");

      // "Copy link" gives the permalink.
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
      await panel.getByRole("button", { name: "Copy link" }).click();
      await expect(page.getByText("Link copied")).toBeVisible();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      expect(copied).toMatch(new RegExp(`/orgs/acme/audit-logs/${doneId}$`));

      // A timeline step opens that entry.
      await timeline.getByRole("link").first().click();
      await expect(page).toHaveURL(new RegExp(`entry=${pendingId}`));
      await expect(row(page, pendingId!)).toHaveAttribute("aria-selected", "true");

      await page.keyboard.press("Escape");
      await expect(panel).toHaveCount(0);
      await expect(page).not.toHaveURL(/entry=/);

      await row(page, processingId!).focus();
      await page.keyboard.press("Enter");
      await expect(details(page)).toBeVisible();
      await expect(page).toHaveURL(new RegExp(`entry=${processingId}`));
      await expect(row(page, processingId!)).toHaveAttribute("aria-selected", "true");
    },
  );

  test(
    "a deep link several pages deep lands on the entry, selected and in view",
    { tag: "@storage" },
    async ({ page, request }) => {
      const tag = marker("deep");
      const events = Array.from({ length: 200 }, (_, i) => ({
        occurredAt: new Date(Date.now() - (i + 1) * 30_000).toISOString(),
        category: "monitoring",
        action: "check",
        result: "done",
        description: `${tag} check ${i}`,
        target: { type: "probe", name: `${tag}-${i}` },
      }));
      const ids = await ingest(request, events);
      const target = ids[130]!;
      await signedIn(page, "manager@acme.test");

      // The permalink redirects to the explorer with the entry selected.
      await page.goto(`${EXPLORER}/${target}`);
      await expect(page).toHaveURL(new RegExp(`/orgs/acme/audit-logs\\?entry=${target}`));
      await expect(row(page, target)).toHaveAttribute("aria-selected", "true");
      await expectInViewport(page, row(page, target));
      await expect(details(page)).toContainText(`${tag} check 130`);

      // Several pages deep with a small page size.
      await page.goto(`${EXPLORER}?size=25&entry=${target}`);
      const selected = row(page, target);
      await expect(selected).toHaveAttribute("aria-selected", "true");
      await expect(rows(page)).toHaveCount(25);
      await expectInViewport(page, selected);
      await expect(details(page)).toContainText(`${tag}-130`);
      await expect(page.getByRole("link", { name: "Previous page" })).toBeVisible();

      // Selecting a neighbour keeps the same rows on screen.
      const firstBefore = await rows(page).first().getAttribute("data-entry-id");
      await row(page, ids[131]!).click();
      await expect(page).toHaveURL(new RegExp(`entry=${ids[131]}`));
      await expect(details(page)).toContainText(`${tag}-131`);
      await expect(rows(page).first()).toHaveAttribute("data-entry-id", firstBefore!);
    },
  );

  test("a permalink opened while signed out ends, after sign-in, on the explorer with the entry open", async ({
    page,
    request,
  }) => {
    const tag = marker("signedout");
    const ids = await ingest(
      request,
      [1, 2, 3].map((i) => ({
        occurredAt: minutesAgo(i),
        category: "service",
        action: "deploy",
        result: "done",
        description: `${tag} deploy ${i}`,
      })),
    );
    const target = ids[1]!;

    // Signed out (no session cookie in this browser): the permalink asks for a sign-in first.
    await page.goto(`${EXPLORER}/${target}`);
    await expect(page).toHaveURL(/\/login\?callbackUrl=/);
    await page.getByLabel("Email").fill("manager@acme.test");
    await page.getByLabel("Password").fill("demo-password");
    await page.getByRole("button", { name: "Sign in" }).click();

    // The same place a signed-in visit reaches: the explorer's URL with entry=, not the permalink.
    await expect(page).toHaveURL(new RegExp(`/orgs/acme/audit-logs\\?entry=${target}$`));
    await expect(row(page, target)).toHaveAttribute("aria-selected", "true");
    await expect(details(page).locator(`[data-details-for="${target}"]`)).toBeVisible();

    // j moves the selection and the open details with it.
    const next = await row(page, target).evaluate((el) => el.nextElementSibling?.getAttribute("data-entry-id") ?? null);
    expect(next).not.toBeNull();
    // Pressed again only while the keys are not yet listened to (before hydration): the selection
    // moves on the first press that is heard, so it never moves twice.
    await expect(async () => {
      if ((await row(page, target).getAttribute("aria-selected")) === "true") await page.keyboard.press("j");
      await expect(row(page, next!)).toHaveAttribute("aria-selected", "true", { timeout: 1000 });
    }).toPass();
    await expect(page).toHaveURL(new RegExp(`entry=${next}`));
    await expect(details(page).locator(`[data-details-for="${next}"]`)).toBeVisible();

    // One click closes the details.
    await page.getByRole("button", { name: "Close details" }).click();
    await expect(details(page)).toHaveCount(0);
    await expect(page).not.toHaveURL(/entry=/);
    expect(new URL(page.url()).pathname).toBe(EXPLORER);
  });

  test("keyboard: / focuses search, j/k and arrows move, Enter opens, Escape closes", async ({ page }) => {
    await signedIn(page, "manager@acme.test", EXPLORER);
    await expect(rows(page).nth(3)).toBeVisible();
    const ids = await rows(page).evaluateAll((els) => els.slice(0, 4).map((el) => el.getAttribute("data-entry-id")!));

    // The shortcut works once the page has hydrated; keep pressing until it does.
    await expect(async () => {
      await page.keyboard.press("/");
      await expect(searchBox(page)).toBeFocused({ timeout: 1000 });
    }).toPass();
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    await page.keyboard.press("j");
    await expect(row(page, ids[0]!)).toHaveAttribute("aria-selected", "true");
    await expect(row(page, ids[0]!)).toBeFocused();
    await page.keyboard.press("j");
    await expect(row(page, ids[1]!)).toHaveAttribute("aria-selected", "true");
    await expect(row(page, ids[0]!)).toHaveAttribute("aria-selected", "false");
    await page.keyboard.press("k");
    await expect(row(page, ids[0]!)).toHaveAttribute("aria-selected", "true");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect(row(page, ids[2]!)).toHaveAttribute("aria-selected", "true");
    await expect(row(page, ids[2]!)).toBeFocused();

    await page.keyboard.press("Enter");
    await expect(details(page)).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`entry=${ids[2]}`));

    // With the details open, they follow the selection.
    await page.keyboard.press("ArrowUp");
    await expect(page).toHaveURL(new RegExp(`entry=${ids[1]}`));
    await expect(details(page).locator(`[data-details-for="${ids[1]}"]`)).toBeVisible();

    await page.keyboard.press("Escape");
    await expect(details(page)).toHaveCount(0);
    await expect(page).not.toHaveURL(/entry=/);
    await expect(row(page, ids[1]!)).toHaveAttribute("aria-selected", "true");
  });

  test(
    "columns sort through their headers and pages turn with Next and Previous",
    { tag: "@storage" },
    async ({ page }) => {
      await signedIn(page, "manager@acme.test", `${EXPLORER}?period=30d&size=25`);
      await expect(rows(page)).toHaveCount(25);
      const position = page.getByRole("navigation", { name: "Pagination" }).getByRole("status");
      await expect(position).toHaveText(/^1–25 of ([\d,]+|more than [\d,]+) entries$/);
      await expect(page.getByRole("link", { name: "Back to the newest entries" })).toHaveCount(0);

      await page.getByRole("columnheader", { name: /Actor/ }).getByRole("link").click();
      await expect(page).toHaveURL(/sort=user/);
      await expect(page).toHaveURL(/dir=asc/);
      await expect(page.getByRole("columnheader", { name: /Actor/ })).toHaveAttribute("aria-sort", "ascending");

      const firstPage = await rows(page).first().getAttribute("data-entry-id");
      await page.getByRole("link", { name: "Next page" }).click();
      await expect(page).toHaveURL(/cursor=/);
      await expect(rows(page).first()).not.toHaveAttribute("data-entry-id", firstPage!);
      await expect(position).toHaveText(/^26–50 of /);
      // Back on the first page, the URL has no cursor left in it.
      await page.getByRole("link", { name: "Previous page" }).click();
      await expect(rows(page).first()).toHaveAttribute("data-entry-id", firstPage!);
      await expect(page).not.toHaveURL(/cursor=/);
      await expect(position).toHaveText(/^1–25 of /);

      await page.getByRole("link", { name: "Next page" }).click();
      await expect(position).toHaveText(/^26–50 of /);
      await page.getByRole("link", { name: "Next page" }).click();
      await expect(position).toHaveText(/^51–75 of /);
      await page.getByRole("link", { name: "First page" }).click();
      await expect(position).toHaveText(/^1–25 of /);
      await expect(page).not.toHaveURL(/cursor=/);
      await expect(page).toHaveURL(/sort=user/);
      await expect(rows(page).first()).toHaveAttribute("data-entry-id", firstPage!);
    },
  );

  test("an entry outside the filters opens with a notice and can be shown in context", async ({ page, request }) => {
    const tag = marker("outside");
    const [id] = await ingest(request, [
      {
        occurredAt: minutesAgo(1),
        category: "backup",
        action: "restore",
        result: "done",
        target: { type: "backup", name: tag },
      },
    ]);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?type=auth&entry=${id}`);
    await expect(page.getByText("This entry is outside the current filters")).toBeVisible();
    await expect(details(page)).toContainText(tag);
    await expect(row(page, id!)).toHaveCount(0);

    await page.getByRole("link", { name: "Show in context" }).click();
    await expect(page).not.toHaveURL(/type=/);
    await expect(page).toHaveURL(new RegExp(`entry=${id}`));
    await expect(row(page, id!)).toHaveAttribute("aria-selected", "true");
  });

  test("a missing entry or another organization's gets the same message, and the page still works", async ({
    page,
    request,
  }) => {
    const [globexId] = await ingest(
      request,
      [{ occurredAt: minutesAgo(1), category: "audit", action: "export", result: "done" }],
      "globex",
    );
    await signedIn(page, "manager@acme.test");
    for (const id of [randomUUID(), globexId!]) {
      await page.goto(`${EXPLORER}?entry=${id}`);
      await expect(page.getByText(NOT_FOUND)).toBeVisible();
      await expect(rows(page).first()).toBeVisible();
      await expect(details(page)).toHaveCount(0);
    }
  });

  test("invalid params are ignored with a message naming them", async ({ page }) => {
    await signedIn(page, "manager@acme.test", `${EXPLORER}?period=yesterday&type=auth,bogus&size=13`);
    await expect(page.getByText(/Ignored period "yesterday"/)).toBeVisible();
    await expect(page.getByText(/Ignored type "bogus"/)).toBeVisible();
    await expect(page.getByText(/Ignored size "13"/)).toBeVisible();
    // The valid part still applies.
    await expect(page.getByRole("link", { name: "Remove filter Type: Auth" })).toBeVisible();
  });

  test("log data is rendered as text, never as markup", async ({ page, request }) => {
    const tag = marker("xss");
    const payload = "<img src=x onerror=alert(1)>";
    const [id] = await ingest(request, [
      {
        occurredAt: minutesAgo(1),
        category: "webhook",
        action: "receive",
        result: "failed",
        description: payload,
        target: { type: "webhook", name: tag },
        params: { body: payload },
        error: { code: "bad_payload", message: payload },
      },
    ]);
    let dialogs = 0;
    page.on("dialog", (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}`);
    await expect(row(page, id!)).toContainText(payload);
    await row(page, id!).click();
    await expect(details(page)).toContainText(payload);
    await expect(page.locator('img[src="x"]')).toHaveCount(0);
    expect(dialogs).toBe(0);
  });

  test("a member without permission sees the contract's notice", async ({ page }) => {
    await signedIn(page, "member@acme.test", EXPLORER);
    await expect(page.getByText(NOTICE)).toBeVisible();
    await expect(rows(page)).toHaveCount(0);
    await expect(page.getByRole("combobox", { name: "Search logs" })).toHaveCount(0);
  });

  test("preset views set their filters", async ({ page }) => {
    await signedIn(page, "manager@acme.test", EXPLORER);
    await page.getByRole("link", { name: "Security events" }).click();
    await expect(page).toHaveURL(/type=auth/);
    await expect(page).toHaveURL(/result=failed/);
    await page.getByRole("link", { name: "Permission changes" }).click();
    await expect(page).toHaveURL(/type=user/);
    await expect(searchBox(page)).toHaveValue(/action:grant_permission/);
  });
});

for (const zone of ["UTC", "America/Los_Angeles", "Asia/Tokyo"] as const) {
  test.describe(`periods finer than a day, in the reader's zone (${zone})`, () => {
    test.use({ timezoneId: zone });

    test("last hour, and a custom range from one time of day to another", async ({ page, request }) => {
      const tag = marker("finer");
      const recent = minutesAgo(3);
      const earlier = minutesAgo(180);
      const [recentId, earlierId] = await ingest(request, [
        { occurredAt: recent, category: "service", action: "deploy", result: "done", description: `${tag} recent` },
        { occurredAt: earlier, category: "service", action: "deploy", result: "done", description: `${tag} earlier` },
      ]);
      await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}`);
      await expect(rows(page)).toHaveCount(2);

      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByRole("radio", { name: "Last hour" }).check();
      await page.getByRole("button", { name: "Apply" }).click();
      await expect(page).toHaveURL(/period=1h/);
      await expect(rows(page)).toHaveCount(1);
      await expect(row(page, recentId!)).toBeVisible();

      // From 15 minutes before the earlier entry to 15 minutes after it, in the reader's wall-clock time.
      const from = wallClockInputs(new Date(Date.parse(earlier) - 15 * 60_000).toISOString(), zone);
      const to = wallClockInputs(new Date(Date.parse(earlier) + 15 * 60_000).toISOString(), zone);
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByRole("radio", { name: "Custom" }).check();
      await page.getByLabel("Start date").fill(from.day);
      await page.getByLabel("Start time").fill(from.time);
      await page.getByLabel("End date").fill(to.day);
      await page.getByLabel("End time").fill(to.time);
      await page.getByRole("button", { name: "Apply" }).click();

      await expect(page).toHaveURL(new RegExp(`from=${from.day}T${from.time.replace(":", "(:|%3A)")}`));
      await expect(page).toHaveURL(new RegExp(`tz=${zone.replace("/", "(%2F|/)")}`));
      await expect(rows(page)).toHaveCount(1);
      await expect(row(page, earlierId!)).toBeVisible();
      const chips = page.getByRole("group", { name: "Active filters" });
      await expect(chips).toContainText(`${from.day} ${from.time} – ${to.day} ${to.time}`);

      // An end before the start on the same day is refused in the panel, and the URL keeps its range.
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByLabel("End date").fill(from.day);
      await page.getByLabel("Start time").fill("10:00");
      await page.getByLabel("End time").fill("09:00");
      await expect(page.getByRole("alert").filter({ hasText: "The end time is before the start time." })).toBeVisible();
      await expect(page).toHaveURL(new RegExp(`from=${from.day}T${from.time.replace(":", "(:|%3A)")}`));
    });
  });
}
