import { mkdirSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Locator } from "@playwright/test";
import { signedIn } from "./helpers/sign-in";
import { ingest } from "./helpers/ingest";

/*
 * The result stays in sight (issue 19, point 7): beside the open details at 1366x800 the type and
 * target columns give way, so time, actor, action and result are shown whole inside the table's
 * visible part; on a 390x844 phone every row is a card that fits the screen, with no sideways
 * scrolling. Light and dark, with screenshots for a person to look at.
 */

const EXPLORER = "/orgs/acme/audit-logs";
const SHOTS = "/tmp/explorer-shots";

const description = (tag: string) =>
  `${tag} rotated the link's credentials and re-applied the routing policy for every region`;

// Long actor, action and target texts: the widths a real log has, not the demo's short ones.
async function seed(request: APIRequestContext, tag: string): Promise<string[]> {
  return ingest(
    request,
    (["failed", "done", "processing"] as const).map((result, i) => ({
      occurredAt: new Date(Date.now() - (i + 1) * 60_000).toISOString(),
      category: "service",
      action: `update_datacenter_link_configuration_${i}`,
      result,
      level: "notice",
      description: description(tag),
      actor: { id: `svc_${i}`, name: "Provisioning Service Account", email: `provisioning-bot-${i}@acme.test` },
      target: { type: "datacenter_link", id: `dcl_${tag}_${i}`, name: `frankfurt-to-singapore-backbone-${i}` },
      error: result === "failed" ? { code: "link_timeout", message: `${tag}: the peer did not answer` } : undefined,
    })),
  );
}

/** Whole and visible: inside `container`'s box, and not cut by its own ellipsis. */
async function expectShownWhole(cell: Locator, container: Locator) {
  await expect(cell).toBeVisible();
  const box = (await cell.boundingBox())!;
  const outer = (await container.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(outer.x - 0.5);
  expect(box.x + box.width).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
}

async function expectNotClipped(cell: Locator) {
  const clipped = await cell.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
  expect(clipped, await cell.innerText()).toBe(false);
}

for (const scheme of ["light", "dark"] as const) {
  test(`beside the open details at 1366x800 the result, actor and action are readable (${scheme})`, async ({
    page,
    request,
  }) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.setViewportSize({ width: 1366, height: 800 });
    await page.emulateMedia({ colorScheme: scheme });
    const tag = `lay${randomUUID().slice(0, 8)}`;
    const ids = await seed(request, tag);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}&entry=${ids[0]}`);
    const details = page.getByRole("region", { name: "Log details" });
    await expect(details).toBeVisible();
    // The details say each thing once (the raw JSON below aside): the description, the failure's
    // code and message.
    await expect(details.getByText(description(tag), { exact: true })).toHaveCount(1);
    await expect(details.getByText("link_timeout", { exact: true })).toHaveCount(1);
    await expect(details.getByText(`${tag}: the peer did not answer`, { exact: true })).toHaveCount(1);
    const table = page.locator('[data-slot="table-container"]');
    await expect(page.getByRole("columnheader", { name: /Target/ })).toHaveCount(0);
    for (const id of ids) {
      const row = page.locator(`tr[data-entry-id="${id}"]`);
      for (const col of ["time", "user", "action", "result"])
        await expectShownWhole(row.locator(`td[data-col="${col}"]`), table);
      await expectNotClipped(row.locator('td[data-col="result"]'));
    }
    expect(await table.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, `layout-details-1366x800-${scheme}.png`) });

    // Closed again, all six columns come back.
    await page.getByRole("button", { name: "Close details" }).click();
    await expect(page.getByRole("columnheader", { name: /Target/ })).toBeVisible();
    await expectShownWhole(page.locator(`tr[data-entry-id="${ids[0]}"] td[data-col="result"]`), table);
  });

  test(`on a 390x844 phone every row is a card that fits the screen (${scheme})`, async ({ page, request }) => {
    mkdirSync(SHOTS, { recursive: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: scheme });
    const tag = `lay${randomUUID().slice(0, 8)}`;
    const ids = await seed(request, tag);
    await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}`);
    const table = page.locator('[data-slot="table-container"]');
    await expect(page.locator("tr[data-entry-id]")).toHaveCount(3);
    // The search box has a row of its own, wide enough for its query and placeholder.
    const search = page.getByRole("combobox", { name: "Search logs" });
    await expect(search).toHaveValue(tag);
    expect((await search.boundingBox())!.width).toBeGreaterThanOrEqual(300);
    for (const id of ids) {
      const row = page.locator(`tr[data-entry-id="${id}"]`);
      await row.scrollIntoViewIfNeeded();
      for (const col of ["time", "user", "action", "result", "type"]) {
        await expectShownWhole(row.locator(`td[data-col="${col}"]`), table);
      }
      await expectNotClipped(row.locator('td[data-col="result"]'));
    }
    expect(await table.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    await page.locator(`tr[data-entry-id="${ids[0]}"]`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, `layout-cards-390x844-${scheme}.png`) });

    // A card opens its details like a row does.
    await page.locator(`tr[data-entry-id="${ids[1]}"] td[data-col="action"]`).click();
    await expect(page.getByRole("dialog", { name: "Log details" })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`entry=${ids[1]}`));
  });
}

for (const [zone, differsFromUtc] of [
  ["UTC", false],
  ["America/Los_Angeles", true],
] as const) {
  test.describe(`the details' time in ${zone}`, () => {
    test.use({ timezoneId: zone });

    test("is the reader's time, with the UTC instant under it only where the two differ", async ({ page, request }) => {
      const tag = `tz${randomUUID().slice(0, 8)}`;
      const [id] = await seed(request, tag);
      await signedIn(page, "manager@acme.test", `${EXPLORER}?q=${tag}&entry=${id}`);
      const time = page
        .getByRole("region", { name: "Log details" })
        .locator("dt", { hasText: /^Time$/ })
        .locator("xpath=following-sibling::dd[1]");
      await expect(time).toContainText(`(${zone})`);
      const utcLines = time.getByText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
      if (!differsFromUtc) {
        await expect(utcLines).toHaveCount(0);
      } else {
        await expect(utcLines).toHaveCount(1);
        const shown = (await time.locator("time").getAttribute("datetime"))!;
        await expect(utcLines).toHaveText(`${shown.slice(0, 19).replace("T", " ")} UTC`);
      }
    });
  });
}
