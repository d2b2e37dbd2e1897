import { expect, test } from "@playwright/test";
import { signedIn } from "./helpers/sign-in";

test(
  "an admin creates a key that writes events, then revokes it and the key stops working",
  { tag: "@storage" },
  async ({ page, request }) => {
    await signedIn(page, "admin@acme.test", "/orgs/acme/settings/api-keys");
    const name = `e2e key ${Date.now()}`;
    await page.getByLabel("Key name").fill(name);
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("api-key-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^ak_[A-Za-z0-9_-]{40,}$/);
    await page.getByRole("button", { name: "Done" }).click();

    const row = page.locator("tr", { hasText: name });
    await expect(row).toContainText(secret.slice(0, 12));
    // Only the prefix is ever shown again.
    await expect(page.getByText(secret)).toHaveCount(0);

    const event = {
      occurredAt: new Date().toISOString(),
      category: "webhook",
      action: "deliver_event",
      result: "done",
    };
    const accepted = await request.post("/api/v1/audit-events", {
      headers: { authorization: `Bearer ${secret}` },
      data: event,
    });
    expect(accepted.status()).toBe(201);

    await row.getByRole("button", { name: `Revoke key ${name}` }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await expect(row).toContainText("Revoked");
    const refused = await request.post("/api/v1/audit-events", {
      headers: { authorization: `Bearer ${secret}` },
      data: event,
    });
    expect(refused.status()).toBe(401);
  },
);

test("an admin creates a read-only key: it reads the log through the API and cannot write", async ({
  page,
  request,
}) => {
  await signedIn(page, "admin@acme.test", "/orgs/acme/settings/api-keys");
  const name = `e2e reader ${Date.now()}`;
  await page.getByLabel("Key name").fill(name);
  const write = page.getByRole("checkbox", { name: /^Write/ });
  const read = page.getByRole("checkbox", { name: /^Read/ });
  // Ingestion is the default, as keys were before scopes; with no scope there is nothing to create.
  await expect(write).toBeChecked();
  await expect(read).not.toBeChecked();
  await write.click();
  await expect(page.getByRole("button", { name: "Create key" })).toBeDisabled();
  await read.click();
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("api-key-secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^ak_/);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.locator("tr", { hasText: name }).locator("[data-api-key-scopes]")).toHaveAttribute(
    "data-api-key-scopes",
    "read",
  );

  const authorization = `Bearer ${secret}`;
  const listed = await request.get("/api/v1/audit-events?size=5", { headers: { authorization } });
  expect(listed.status()).toBe(200);
  const body = (await listed.json()) as { entries: { id: string; url: string }[]; next: string | null };
  expect(body.entries).toHaveLength(5);
  expect(body.entries[0]!.url).toMatch(/\/orgs\/acme\/audit-logs\//);
  expect(typeof body.next).toBe("string");
  const refused = await request.post("/api/v1/audit-events", {
    headers: { authorization },
    data: { occurredAt: new Date().toISOString(), category: "webhook", action: "deliver_event", result: "done" },
  });
  expect(refused.status()).toBe(403);
});

test("a manager without audit.manage sees the notice on the API keys page", async ({ page }) => {
  await signedIn(page, "manager@acme.test", "/orgs/acme/settings/api-keys");
  await expect(
    page.getByText("If you cannot access this feature, please request permission from your organization manager."),
  ).toBeVisible();
  await expect(page.getByLabel("Key name")).toHaveCount(0);
});
