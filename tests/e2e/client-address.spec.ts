import { randomInt, randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { startExtraConsole, type ExtraConsole } from "./helpers/extra-console";
import { signIn } from "./helpers/sign-in";

/*
 * The client address comes from the connection, or from the proxies TRUSTED_PROXY_HOPS declares,
 * never from what a client writes in X-Forwarded-For: the per-address sign-in lock cannot be
 * dodged by rotating the header, and the audit log records the real address. Two consoles of
 * their own (one per setting) keep their locks away from the other tests.
 */

test.describe.configure({ mode: "serial" });

const port = Number(process.env.E2E_PORT ?? 3100);
let direct: ExtraConsole;
let proxied: ExtraConsole;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const limits = { AUTH_THROTTLE_IP_LIMIT: "3", AUTH_THROTTLE_ACCOUNT_LIMIT: "1000" };
  [direct, proxied] = await Promise.all([
    startExtraConsole("direct", port + 11, { ...limits, TRUSTED_PROXY_HOPS: "0" }),
    startExtraConsole("proxied", port + 12, { ...limits, TRUSTED_PROXY_HOPS: "1" }),
  ]);
});

test.afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

/** One failed password sign-in through Auth.js's own endpoint; returns the error code it answers. */
async function failedSignIn(request: APIRequestContext, headers: Record<string, string>): Promise<string | null> {
  const email = `nobody-${randomUUID().slice(0, 8)}@acme.test`;
  const csrf = await request.get("/api/auth/csrf", { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await request.post("/api/auth/callback/credentials", {
    form: { email, password: "not-the-password", csrfToken, callbackUrl: "/" },
    headers,
    maxRedirects: 0,
  });
  expect(response.status()).toBe(302);
  return new URL(response.headers()["location"] ?? "", "http://x").searchParams.get("code");
}

const someAddress = () => `198.51.100.${randomInt(1, 255)}`;

test("with no trusted proxy, rotating X-Forwarded-For does not dodge the per-address lock", async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: direct.url });
  // Three failures, each claiming another address: all three count against the connection's.
  for (let i = 0; i < 3; i++) {
    expect(await failedSignIn(request, { "x-forwarded-for": someAddress() })).toBe("credentials");
  }
  for (const forged of [someAddress(), "203.0.113.1, 203.0.113.2", "::1"]) {
    expect(await failedSignIn(request, { "x-forwarded-for": forged }), forged).toBe("throttled");
  }
  await request.dispose();
});

test("behind one trusted proxy, the address is the one it appended, whatever the client put before it", async ({
  playwright,
}) => {
  const request = await playwright.request.newContext({ baseURL: proxied.url });
  const client = "203.0.113.50";
  for (let i = 0; i < 3; i++) {
    expect(await failedSignIn(request, { "x-forwarded-for": `${someAddress()}, ${client}` })).toBe("credentials");
  }
  expect(await failedSignIn(request, { "x-forwarded-for": `${someAddress()}, ${client}` })).toBe("throttled");
  // Another client behind the same proxy is not locked.
  expect(await failedSignIn(request, { "x-forwarded-for": "203.0.113.51" })).toBe("credentials");
  await request.dispose();
});

test("the audit log records the connection's address, not a forged X-Forwarded-For", async ({ browser }) => {
  const forged = `203.0.113.${randomInt(1, 255)}`;
  const email = `probe-${randomUUID().slice(0, 8)}@acme.test`;
  const attacker = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": forged } });
  const page = await attacker.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await attacker.close();

  const admin = await browser.newContext();
  const view = await admin.newPage();
  await signIn(view, "admin@acme.test");
  // The failed sign-in of an unknown address at acme.test is written to Acme's log.
  await view.goto(`/orgs/acme/audit-logs?q=${encodeURIComponent(email)}`);
  const row = view.locator("tr[data-entry-id]");
  await expect(row).toHaveCount(1);
  await row.click();
  await expect(view.getByText("Request IP")).toBeVisible();
  await expect(view.getByText("127.0.0.1", { exact: true }).first()).toBeVisible();
  await expect(view.getByText(forged)).toHaveCount(0);
  // Nothing in the log carries the forged address.
  await view.goto(`/orgs/acme/audit-logs?q=${encodeURIComponent(forged)}`);
  await expect(view.getByText(email)).toHaveCount(0);
  await admin.close();
});

test("over HTTPS (as a trusted proxy reports it) responses carry HSTS and cookies are Secure", async ({
  playwright,
}) => {
  const request = await playwright.request.newContext({ baseURL: proxied.url });
  const https = await request.get("/api/auth/csrf", { headers: { "x-forwarded-proto": "https" } });
  expect(https.headers()["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  const cookies = https.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie");
  expect(cookies.length).toBeGreaterThan(0);
  for (const cookie of cookies) expect(cookie.value).toMatch(/;\s*Secure/i);
  expect(cookies.map((c) => c.value).join("\n")).toContain("__Host-authjs.csrf-token=");

  const plain = await request.get("/api/auth/csrf", { headers: { "x-forwarded-proto": "http" } });
  expect(plain.headers()["strict-transport-security"]).toBeUndefined();
  for (const cookie of plain.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie")) {
    expect(cookie.value).not.toMatch(/;\s*Secure/i);
  }
  // With no trusted proxy, a client claiming HTTPS changes nothing.
  const claimed = await request.get(`${direct.url}/api/auth/csrf`, { headers: { "x-forwarded-proto": "https" } });
  expect(claimed.headers()["strict-transport-security"]).toBeUndefined();
  await request.dispose();
});
