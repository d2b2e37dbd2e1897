import { expect, test, type Page } from "@playwright/test";
import {
  noContent,
  signatureOf,
  startHttpReceiver,
  uniquePath,
  verifySignature,
  type HttpReceiver,
  type ReceivedRequest,
} from "../helpers/notification-receivers";
import { e2eApiKeys, signedIn } from "./helpers/sign-in";

/*
 * Notifications end to end: a rule and a webhook channel made in the settings page, a test
 * message, then an ingested event that matches the rule, received by a real HTTP receiver started
 * here (the e2e server runs with WEBHOOK_ALLOW_PRIVATE=true), and its permalink followed by a
 * signed-out browser through sign-in to the entry.
 */

const NOTICE = "If you cannot access this feature, please request permission from your organization manager.";
const SETTINGS = "/orgs/acme/settings/notifications";

interface Payload {
  rule: { id: string; name: string };
  organization: string;
  entries: { id: string; url: string; action: string; description: string }[];
  text: string;
  test?: boolean;
}

async function waitForMessage(
  received: ReceivedRequest[],
  match: (payload: Payload) => boolean,
): Promise<ReceivedRequest> {
  let found: ReceivedRequest | undefined;
  await expect
    .poll(() => (found = received.find((m) => match(JSON.parse(m.body) as Payload))), { timeout: 30_000 })
    .toBeTruthy();
  return found!;
}

async function expectInViewport(page: Page, selector: string) {
  const height = page.viewportSize()?.height ?? 0;
  await expect
    .poll(async () => {
      const box = await page.locator(selector).boundingBox();
      return box !== null && box.y >= 0 && box.y + box.height <= height;
    })
    .toBe(true);
}

test.describe("notifications", () => {
  // Only the delivery test needs the receiver, on a fixed port: its own block, so that the other
  // tests of this file can run in other workers at the same time.
  test.describe("delivered to a receiver", () => {
    let receiver: HttpReceiver;
    test.beforeAll(async () => {
      // On the port after the e2e server's (inside the run's range).
      receiver = await startHttpReceiver({
        port: Number(process.env.E2E_PORT ?? 3100) + 1,
        path: uniquePath("hooks"),
        answer: noContent,
      });
    });
    test.afterAll(async () => {
      await receiver.close();
    });

    test("a rule and a webhook made in the page deliver a signed message whose permalink lands on the entry after sign-in", async ({
      page,
      browser,
      request,
    }) => {
      test.setTimeout(120_000);
      const tag = `e2enotify${Date.now().toString(36)}`;
      await signedIn(page, "admin@acme.test");
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Notifications" }).click();
      await expect(page).toHaveURL(SETTINGS);
      await expect(page.getByRole("heading", { name: "Notifications", level: 1 })).toBeVisible();

      // A webhook channel; its secret is shown once.
      const channelName = `Receiver ${tag}`;
      await page.getByRole("button", { name: "New channel" }).click();
      const channelDialog = page.getByRole("dialog", { name: "New channel" });
      await channelDialog.getByLabel("Channel name").fill(channelName);
      await channelDialog.getByLabel("Webhook URL").fill(receiver.url);
      await channelDialog.getByRole("button", { name: "Create channel" }).click();
      const secretText = page.getByTestId("webhook-secret");
      await expect(secretText).toHaveText(/^whsec_/);
      const secret = (await secretText.textContent())!.trim();
      await page.getByRole("button", { name: "Done" }).click();
      const channelRow = page.locator("tr[data-channel-id]", { hasText: channelName });
      await expect(channelRow).toContainText(receiver.url);
      await expect(page.getByText(secret)).toHaveCount(0);

      // "Send test": a signed test message arrives and the delivery shows as delivered.
      await channelRow.getByRole("button", { name: `Send test: ${channelName}` }).click();
      await expect(page.getByText("Test message queued")).toBeVisible();
      const testMessage = await waitForMessage(receiver.requests, (p) => p.test === true);
      expect(testMessage.headers["content-type"]).toMatch(/^application\/json/);
      expect(verifySignature(testMessage.body, signatureOf(testMessage), secret)).toBe(true);
      const deliveries = page.getByRole("table", { name: "Recent deliveries" });
      await expect(
        deliveries
          .locator(`tr[data-delivery-id="${String(testMessage.headers["x-audit-delivery"])}"]`)
          .getByText("Delivered"),
      ).toBeVisible();

      // A rule on that channel; the preview counts through the query core.
      const ruleName = `Rule ${tag}`;
      await page.getByRole("button", { name: "New rule" }).click();
      const ruleDialog = page.getByRole("dialog", { name: "New rule" });
      await ruleDialog.getByLabel("Rule name").fill(ruleName);
      await ruleDialog.getByLabel("Search text").fill(`action:${tag}`);
      await expect(ruleDialog.getByTestId("rule-preview-count")).toHaveText("Matched 0 entries in the last 7 days.");
      await expect(ruleDialog.getByRole("link", { name: /Show matching entries/ })).toHaveAttribute(
        "href",
        `/orgs/acme/audit-logs?q=action%3A${tag}`,
      );
      await ruleDialog.getByRole("checkbox", { name: new RegExp(channelName) }).check();
      await ruleDialog.getByRole("button", { name: "Create rule" }).click();
      await expect(ruleDialog).toHaveCount(0);
      const ruleRow = page.locator("tr[data-rule-id]", { hasText: ruleName });
      await expect(ruleRow).toContainText(channelName);
      await expect(ruleRow.getByRole("switch", { name: `Enabled: ${ruleName}` })).toBeChecked();

      // An event that matches, written through the ingestion API.
      const ingested = await request.post("/api/v1/audit-events", {
        headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
        data: {
          occurredAt: new Date().toISOString(),
          category: "service",
          action: tag,
          result: "done",
          level: "notice",
          description: `deploy ${tag} to production`,
          target: { type: "service", id: "svc_1", name: tag },
        },
      });
      expect(ingested.status()).toBe(201);
      const entryId = ((await ingested.json()) as { entries: { id: string }[] }).entries[0]!.id;

      const message = await waitForMessage(receiver.requests, (p) => p.rule.name === ruleName);
      expect(verifySignature(message.body, signatureOf(message), secret)).toBe(true);
      expect(message.headers["x-audit-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
      const payload = JSON.parse(message.body) as Payload;
      expect(payload.organization).toBe("acme");
      expect(payload.entries.map((e) => e.id)).toEqual([entryId]);
      const permalink = new URL(payload.entries[0]!.url);
      expect(permalink.pathname).toBe(`/orgs/acme/audit-logs/${entryId}`);

      // Signed out, the permalink asks for sign-in and then lands on the entry, selected, in view,
      // its details open, on the explorer's own URL.
      const stranger = await browser.newContext();
      try {
        const visitor = await stranger.newPage();
        await visitor.goto(permalink.pathname);
        await expect(visitor).toHaveURL(/\/login\?callbackUrl=/);
        await visitor.getByLabel("Email").fill("manager@acme.test");
        await visitor.getByLabel("Password").fill("demo-password");
        await visitor.getByRole("button", { name: "Sign in" }).click();
        await expect(visitor).toHaveURL(new RegExp(`/orgs/acme/audit-logs\\?entry=${entryId}$`));
        const selected = `tr[data-entry-id="${entryId}"]`;
        await expect(visitor.locator(selected)).toHaveAttribute("aria-selected", "true");
        await expectInViewport(visitor, selected);
        await expect(visitor.getByRole("region", { name: "Log details" })).toContainText(`deploy ${tag} to production`);
      } finally {
        await stranger.close();
      }

      // Someone without audit.view who follows the same link sees the notice, not the entry.
      const member = await browser.newContext();
      try {
        const visitor = await member.newPage();
        await visitor.goto(permalink.pathname);
        await visitor.getByLabel("Email").fill("member@acme.test");
        await visitor.getByLabel("Password").fill("demo-password");
        await visitor.getByRole("button", { name: "Sign in" }).click();
        await expect(visitor).toHaveURL(new RegExp(`/orgs/acme/audit-logs\\?entry=${entryId}$`));
        await expect(visitor.getByText(NOTICE)).toBeVisible();
        await expect(visitor.getByText(`deploy ${tag} to production`)).toHaveCount(0);
      } finally {
        await member.close();
      }
    });
  });

  test("starting rules are added paused; a rule can be paused, edited and deleted from the page", async ({ page }) => {
    await signedIn(page, "admin@acme.test", SETTINGS);
    await page.getByRole("button", { name: "Add starting rule: Repeated failed sign-ins" }).click();
    await expect(page.getByText("Rule “Repeated failed sign-ins” added, paused")).toBeVisible();
    const row = page.locator("tr[data-rule-id]", { hasText: "Repeated failed sign-ins" }).first();
    await expect(row).toContainText("5 within 10 min per user");
    await expect(row.getByRole("switch")).not.toBeChecked();

    // A condition the explorer refuses is refused with its words.
    await row.getByRole("button", { name: /^Edit rule/ }).click();
    const dialog = page.getByRole("dialog", { name: /^Edit rule/ });
    await dialog.getByLabel("Search text").fill("colour:blue");
    await expect(dialog.getByText(/colour:blue not applied/).first()).toBeVisible();
    await dialog.getByRole("button", { name: "Save rule" }).click();
    await expect(dialog.getByRole("alert")).toContainText("colour:blue not applied");
    await dialog.getByLabel("Search text").fill("");
    await dialog.getByLabel("Entries", { exact: true }).fill("7");
    await dialog.getByRole("button", { name: "Save rule" }).click();
    await expect(dialog).toHaveCount(0);
    await expect(row).toContainText("7 within 10 min per user");

    await row.getByRole("switch").click();
    await expect(row.getByRole("switch")).toBeChecked();
    await expect(page.getByText("switched on")).toBeVisible();

    await row.getByRole("button", { name: /^Delete rule/ }).click();
    await page.getByRole("button", { name: "Delete rule" }).click();
    await expect(page.getByText("Rule “Repeated failed sign-ins” deleted")).toBeVisible();
  });

  test("a manager without audit.manage gets the notice and no link to the page", async ({ page }) => {
    await signedIn(page, "manager@acme.test");
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Notifications" }),
    ).toHaveCount(0);
    await page.goto(SETTINGS);
    await expect(page.getByText(NOTICE)).toBeVisible();
    await expect(page.getByRole("button", { name: "New rule" })).toHaveCount(0);
  });
});
