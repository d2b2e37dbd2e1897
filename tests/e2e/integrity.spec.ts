import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { e2eApiKeys, signedIn } from "./helpers/sign-in";

/*
 * The seal in the details view, and the integrity settings page, against the built console whose
 * server process seals new entries in the background (about every 30 seconds).
 */

test("the details view shows 'Verified' with its block once the entry is sealed", async ({ page, request }) => {
  test.setTimeout(150_000);
  const description = `integrity e2e ${randomUUID().slice(0, 8)}`;
  const response = await request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
    data: { occurredAt: new Date().toISOString(), category: "service", action: "deploy", result: "done", description },
  });
  expect(response.status()).toBe(201);
  const [{ id }] = ((await response.json()) as { entries: { id: string }[] }).entries as [{ id: string }];

  await signedIn(page, "admin@acme.test");
  await page.setViewportSize({ width: 1366, height: 800 });
  const details = page.getByRole("region", { name: "Log details" });
  // Sealing runs in the background: reload until the seal shows (a condition, not a fixed wait).
  await expect(async () => {
    await page.goto(`/orgs/acme/audit-logs?entry=${id}`);
    await expect(details.getByText(description).first()).toBeVisible();
    await expect(details.locator('[data-integrity-state="verified"]')).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 120_000, intervals: [2000, 5000] });
  await expect(details.locator('[data-integrity-state="verified"]')).toContainText(/Verified in block \d+, sealed/);

  await page.goto("/orgs/acme/settings/integrity");
  await expect(page.getByRole("heading", { name: "Integrity", level: 1 })).toBeVisible();
  await expect(page.locator('[data-integrity-period="ok"]')).toContainText(
    // One block is "1 block", not "1 blocks" (a newcomer's first start shows exactly one).
    /Verified: (1 block|(?!1 )[\d,]+ blocks) from /,
  );
  await expect(page.getByLabel("Public key (PEM)")).toContainText("BEGIN PUBLIC KEY");
});
