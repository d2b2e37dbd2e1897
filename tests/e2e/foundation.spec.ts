import { randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { e2eApiKeys, signedIn, signIn } from "./helpers/sign-in";

const NOTICE = "If you cannot access this feature, please request permission from your organization manager.";

test.describe("sign-in and landing", () => {
  for (const [email, slug] of [
    ["admin@acme.test", "acme"],
    ["manager@acme.test", "acme"],
    ["auditor@globex.test", "globex"],
  ] as const) {
    test(`${email} lands on ${slug}'s audit log with entries`, async ({ page }) => {
      await signIn(page, email);
      await expect(page).toHaveURL(new RegExp(`/orgs/${slug}/audit-logs`));
      await expect(page.locator("tr[data-entry-id]").first()).toBeVisible();
    });
  }

  test("a member without audit permission sees the notice and no entries", async ({ page }) => {
    await signIn(page, "member@acme.test");
    await expect(page.getByText(NOTICE)).toBeVisible();
    await expect(page.locator("tr[data-entry-id]")).toHaveCount(0);
  });

  test("signed-out visitors are sent to sign in and come back afterwards", async ({ page }) => {
    await page.goto("/orgs/acme/audit-logs?type=auth");
    await expect(page).toHaveURL(/\/login\?callbackUrl=/);
    await page.getByLabel("Email").fill("manager@acme.test");
    await page.getByLabel("Password").fill("demo-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/orgs\/acme\/audit-logs\?type=auth/);
  });

  test("signing out ends the session", async ({ page }) => {
    await signIn(page, "manager@acme.test");
    await page.getByRole("button", { name: "User menu" }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/orgs/acme/audit-logs");
    await expect(page).toHaveURL(/\/login/);
  });
});

test("an ingested event shows up at the top of the list", { tag: "@storage" }, async ({ page, request }) => {
  // The event is a minute ahead of everything else the suite writes meanwhile (sign-ins among
  // them), so it comes first (the API accepts up to five minutes of clock skew).
  await signedIn(page, "manager@acme.test");
  const marker = `deploy-${randomUUID().slice(0, 8)}`;
  const response = await request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
    data: {
      occurredAt: new Date(Date.now() + 60_000).toISOString(),
      actor: { id: "u_e2e", name: "E2E Robot", email: "robot@acme.test" },
      category: "service",
      action: "deploy",
      description: `deploy ${marker} to production`,
      target: { type: "service", id: "svc_e2e", name: marker },
      result: "done",
    },
  });
  expect(response.status()).toBe(201);
  const { entries } = (await response.json()) as { entries: { id: string; url: string }[] };
  await page.goto("/orgs/acme/audit-logs");
  const first = page.locator("tr[data-entry-id]").first();
  await expect(first).toHaveAttribute("data-entry-id", entries[0]!.id);
  await expect(first).toContainText(marker);
});

test(
  "repeated failed sign-ins are throttled with the same message for unknown and known accounts",
  { tag: "@storage" },
  async ({ page }) => {
    // An address nobody has, so that locking it cannot disturb the other tests' demo accounts.
    const email = `nobody-${randomUUID().slice(0, 8)}@acme.test`;
    await page.goto("/login");
    const button = page.getByRole("button", { name: /Sign in/ });
    const incorrect = page.getByRole("alert").filter({ hasText: "Email or password is incorrect." });
    for (let i = 0; i < 5; i++) {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(`wrong-${i}`);
      await button.click();
      // React clears the form when the action has answered: only then is the attempt counted.
      await expect(page.getByLabel("Password")).toHaveValue("");
      await expect(incorrect).toBeVisible();
    }
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong-5");
    await button.click();
    await expect(page.getByRole("alert").filter({ hasText: "Too many failed sign-ins" })).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
  },
);

test("a wrong password for a real account gets the same message as an unknown account", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill("auditor@globex.test");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
});
