import { expect, test, type APIResponse, type Page } from "@playwright/test";
import { e2eApiKeys, signedIn, signIn } from "./helpers/sign-in";

/*
 * Every page type works under the Content-Security-Policy (no console error, no violation), and
 * every response carries the security headers: pages, route handlers, the 404, static files.
 */

// Collects console errors, page errors and CSP violations from the moment the page opens; the
// one expected error is the 404 status of the page visited on purpose.
async function watch(page: Page, expected404: string): Promise<() => Promise<string[]>> {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    if (/status of 404/.test(message.text()) && new URL(url).pathname === expected404) return;
    problems.push(`console: ${message.text()} (${url})`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  return async () => {
    const violations = await page
      .evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [])
      .catch(() => ["(the page could not be read)"]);
    return [...problems, ...violations.map((v) => `CSP: ${v}`)];
  };
}

async function ingestProbe(page: Page): Promise<string> {
  const response = await page.request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
    data: {
      occurredAt: new Date().toISOString(),
      category: "service",
      action: "deploy",
      result: "done",
      description: "security headers probe",
      params: { nested: { value: "<script>alert(1)</script>" } },
    },
  });
  expect(response.status()).toBe(201);
  return ((await response.json()) as { entries: { id: string }[] }).entries[0]!.id;
}

test("every page type works under the policy: no console error, no violation", async ({ page }) => {
  const problems = await watch(page, "/no-such-page");

  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await signIn(page, "admin@acme.test");
  const id = await ingestProbe(page);

  // The explorer with an entry's details open, then the export modal over it.
  await page.goto(`/orgs/acme/audit-logs?entry=${id}`);
  await expect(page.locator(`tr[data-entry-id="${id}"]`)).toBeVisible();
  await expect(page.getByText("Request IP")).toBeVisible();
  await page.keyboard.press("Escape");
  await page.getByRole("button", { name: "Export", exact: true }).first().click();
  await expect(page.getByRole("dialog").getByRole("heading", { name: /^Downloading a total of/ })).toBeVisible();
  await page.keyboard.press("Escape");

  for (const [path, heading] of [
    ["/orgs/acme/settings/access", /access/i],
    ["/orgs/acme/settings/retention", /retention/i],
    ["/orgs/acme/settings/api-keys", /api keys/i],
  ] as const) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    // Client-side navigation too: the router's chunks load under the policy.
  }
  await page
    .getByRole("link", { name: /audit log/i })
    .first()
    .click();
  await expect(page.locator("tr[data-entry-id]").first()).toBeVisible();

  await page.goto("/no-such-page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  // The theme switch runs the theme script: the page must still hydrate and react.
  await page.getByRole("link", { name: "Go to your audit log" }).click();
  await expect(page).toHaveURL(/\/orgs\/acme\/audit-logs/);

  expect(await problems()).toEqual([]);
});

function expectCommonHeaders(response: APIResponse, label: string) {
  const headers = response.headers();
  expect(headers["x-content-type-options"], label).toBe("nosniff");
  expect(headers["x-frame-options"], label).toBe("DENY");
  expect(headers["referrer-policy"], label).toBe("strict-origin-when-cross-origin");
  // Served over plain http here: no HSTS (the HTTPS case is in client-address.spec.ts).
  expect(headers["strict-transport-security"], label).toBeUndefined();
}

function expectPagePolicy(response: APIResponse, label: string) {
  const policy = response.headers()["content-security-policy"] ?? "";
  expect(policy, label).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(policy, label).toContain("frame-ancestors 'none'");
  expect(policy, label).toContain("object-src 'none'");
  expect(policy, label).toContain("base-uri 'self'");
  expect(policy, label).not.toContain("unsafe-eval");
}

test("pages, route handlers, the 404 and static files carry the security headers", async ({ page, request }) => {
  const login = await request.get("/login");
  expectCommonHeaders(login, "/login");
  expectPagePolicy(login, "/login");
  // A fresh nonce every time, and the page's scripts carry it.
  const again = await request.get("/login");
  expect(again.headers()["content-security-policy"]).not.toBe(login.headers()["content-security-policy"]);
  const nonce = /'nonce-([^']+)'/.exec(login.headers()["content-security-policy"]!)![1]!;
  expect(await login.text()).toContain(`nonce="${nonce}"`);

  const missing = await request.get("/no-such-page");
  expect(missing.status()).toBe(404);
  expectCommonHeaders(missing, "404");
  expectPagePolicy(missing, "404");

  await signedIn(page, "admin@acme.test");
  const explorer = await page.request.get("/orgs/acme/audit-logs");
  expect(explorer.status()).toBe(200);
  expectCommonHeaders(explorer, "explorer");
  expectPagePolicy(explorer, "explorer");

  // Route handlers: the permalink (a 307), the ingestion API, an export download, Auth.js.
  const id = await ingestProbe(page);
  const permalink = await page.request.get(`/orgs/acme/audit-logs/${id}`, { maxRedirects: 0 });
  expect(permalink.status()).toBe(307);
  expectCommonHeaders(permalink, "permalink");
  for (const [label, response] of [
    ["ingestion", await request.post("/api/v1/audit-events", { data: {} })],
    ["export", await page.request.get("/api/exports/not-a-token")],
    ["auth", await request.get("/api/auth/csrf")],
  ] as const) {
    expect(response.status(), label).toBeLessThan(500);
    expectCommonHeaders(response, label);
    expect(response.headers()["content-security-policy"], label).toBe("default-src 'none'; frame-ancestors 'none'");
  }

  // A static file of the build.
  const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(await login.text())![1]!;
  const asset = await request.get(script);
  expect(asset.status()).toBe(200);
  expectCommonHeaders(asset, "static file");
});

test("no page can be framed, not even by a page of the same site", async ({ page }) => {
  await signedIn(page, "admin@acme.test");
  const blocked: string[] = [];
  page.on("console", (message) => {
    if (/frame-ancestors|X-Frame-Options|Refused to display/i.test(message.text())) blocked.push(message.text());
  });
  // A same-origin page (the 404) framing the settings.
  await page.goto("/no-such-page");
  await page.evaluate(() => {
    const frame = document.createElement("iframe");
    frame.src = "/orgs/acme/settings/access";
    document.body.append(frame);
  });
  await expect.poll(() => blocked.length).toBeGreaterThan(0);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  expect(
    await frame
      ?.locator("tr[data-member-email]")
      .count()
      .catch(() => 0),
  ).toBe(0);
});
