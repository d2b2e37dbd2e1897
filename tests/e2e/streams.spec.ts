import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { e2eApiKeys, signIn } from "./helpers/sign-in";

/*
 * Streaming end to end: a stream made in the notifications settings page (its secret shown once),
 * an event ingested through the API, and the NDJSON batch that the console's in-process worker
 * posts to a receiver started here (the e2e server runs with WEBHOOK_ALLOW_PRIVATE=true).
 */

const SETTINGS = "/orgs/acme/settings/notifications";

interface Received {
  body: string;
  signature: string | undefined;
  delivery: string | undefined;
  contentType: string | undefined;
}

async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        body: Buffer.concat(chunks).toString("utf8"),
        signature: request.headers["x-audit-signature"] as string | undefined,
        delivery: request.headers["x-audit-delivery"] as string | undefined,
        contentType: request.headers["content-type"],
      });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/ingest/${randomUUID()}`, received };
}

function verify(message: Received, secret: string): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", secret).update(message.body).digest("hex")}`);
  const given = Buffer.from(message.signature ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const ids = (message: Received) =>
  message.body
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => (JSON.parse(line) as { id?: string }).id);

test.describe("streams", () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  test.beforeAll(async () => {
    receiver = await startReceiver();
  });
  test.afterAll(async () => {
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  test("a stream made in the page shows its secret once and receives an ingested event, signed", async ({
    page,
    request,
  }) => {
    const tag = `e2estream${Date.now().toString(36)}`;
    await signIn(page, "admin@acme.test");
    await page.goto(SETTINGS);
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

    const ingested = await request.post("/api/v1/audit-events", {
      headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
      data: {
        occurredAt: new Date().toISOString(),
        category: "service",
        action: tag,
        result: "done",
        description: `deploy ${tag}`,
      },
    });
    expect(ingested.status()).toBe(201);
    const entryId = ((await ingested.json()) as { entries: { id: string }[] }).entries[0]!.id;

    let batch: Received | undefined;
    await expect
      .poll(() => (batch = receiver.received.find((m) => ids(m).includes(entryId))), { timeout: 30_000 })
      .toBeTruthy();
    expect(ids(batch!)).toEqual([entryId]);
    expect(batch!.contentType).toBe("application/x-ndjson");
    expect(batch!.delivery).toMatch(/^[0-9a-f-]{36}$/);
    expect(verify(batch!, secret)).toBe(true);

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
