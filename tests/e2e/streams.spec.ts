import { expect, test } from "@playwright/test";
import {
  previousSignatureOf,
  signatureOf,
  startHttpReceiver,
  uniquePath,
  verifySignature,
  type HttpReceiver,
  type ReceivedRequest,
} from "../helpers/notification-receivers";
import { e2eApiKeys, signedIn } from "./helpers/sign-in";

/*
 * Streaming end to end: a stream made in the notifications settings page (its secret shown once,
 * and a new one shown once when rotated), an event ingested through the API, and the NDJSON
 * batches that the console's in-process worker posts to a receiver started here (the e2e server
 * runs with WEBHOOK_ALLOW_PRIVATE=true).
 */

const SETTINGS = "/orgs/acme/settings/notifications";

const ids = (message: ReceivedRequest) =>
  message.body
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { id?: string }).id);

test.describe("streams", () => {
  let receiver: HttpReceiver;
  test.beforeAll(async () => {
    receiver = await startHttpReceiver({ path: uniquePath("ingest") });
  });
  test.afterAll(async () => {
    await receiver.close();
  });

  test("a stream made in the page shows its secret once and receives an ingested event, signed", async ({
    page,
    request,
  }) => {
    // Two secrets shown and two batches waited for, on a machine that may be busy.
    test.setTimeout(120_000);
    const tag = `e2estream${Date.now().toString(36)}`;
    await signedIn(page, "admin@acme.test", SETTINGS);
    await expect(page.getByRole("heading", { name: "Streams", level: 2 })).toBeVisible();

    const name = `SIEM ${tag}`;
    await page.getByRole("button", { name: "New stream" }).click();
    const dialog = page.getByRole("dialog", { name: "New stream" });
    await dialog.getByLabel("Stream name").fill(name);
    await dialog.getByLabel("Receiver URL").fill(receiver.url);
    await dialog.getByLabel("Search (optional)").fill(`action:${tag}`);
    await dialog.getByLabel("Maximum wait (seconds)").fill("1");
    await dialog.getByRole("button", { name: "Create stream" }).click();
    const secretText = page.getByTestId("webhook-secret");
    await expect(secretText).toHaveText(/^whsec_/);
    const secret = (await secretText.textContent())!.trim();
    await page.getByRole("button", { name: "Done" }).click();
    const row = page.locator("tr[data-stream-id]", { hasText: name });
    await expect(row).toContainText(receiver.url);
    await expect(row).toContainText("Active");
    await expect(page.getByText(secret)).toHaveCount(0);

    const ingest = async (description: string) => {
      const ingested = await request.post("/api/v1/audit-events", {
        headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
        data: { occurredAt: new Date().toISOString(), category: "service", action: tag, result: "done", description },
      });
      expect(ingested.status()).toBe(201);
      return ((await ingested.json()) as { entries: { id: string }[] }).entries[0]!.id;
    };
    const batchOf = async (entryId: string) => {
      let batch: ReceivedRequest | undefined;
      await expect
        .poll(() => (batch = receiver.requests.find((m) => ids(m).includes(entryId))), { timeout: 30_000 })
        .toBeTruthy();
      return batch!;
    };

    const entryId = await ingest(`deploy ${tag}`);
    const batch = await batchOf(entryId);
    expect(ids(batch)).toEqual([entryId]);
    expect(batch.headers["content-type"]).toBe("application/x-ndjson");
    expect(batch.headers["x-audit-delivery"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(verifySignature(batch.body, signatureOf(batch), secret)).toBe(true);

    // Rotate the secret: the new one is shown once; during the grace period the next batch
    // verifies with the new secret and with the old one.
    await row.getByRole("button", { name: `Rotate secret: ${name}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
    await expect(secretText).toHaveText(/^whsec_/);
    const rotated = (await secretText.textContent())!.trim();
    expect(rotated).not.toBe(secret);
    await expect(page.getByRole("dialog", { name: `Signing secret of “${name}”` })).toContainText(
      "The previous secret signs each message too for 24 hours",
    );
    await page.getByRole("button", { name: "Done" }).click();
    await expect(page.getByText(rotated)).toHaveCount(0);
    const next = await batchOf(await ingest(`deploy ${tag} after rotation`));
    expect(verifySignature(next.body, signatureOf(next), rotated)).toBe(true);
    expect(verifySignature(next.body, previousSignatureOf(next), secret)).toBe(true);

    // Pause and resume from the keyboard-reachable buttons; the state follows.
    await row.getByRole("button", { name: `Pause: ${name}` }).click();
    await expect(row).toContainText("Paused");
    await row.getByRole("button", { name: `Resume: ${name}` }).click();
    await expect(row).toContainText("Active");

    await row.getByRole("button", { name: `Delete stream ${name}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete stream" }).click();
    await expect(row).toHaveCount(0);
  });
});
