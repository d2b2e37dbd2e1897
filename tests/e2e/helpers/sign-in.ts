import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";
import { TIME_ZONE_COOKIE } from "@/lib/preferences/time-zone-cookie";

export const DEMO_PASSWORD = "demo-password";

/** The demo accounts the setup project (tests/e2e/sessions.setup.ts) signs in once per run. */
export const SESSION_ACCOUNTS = [
  "admin@acme.test",
  "manager@acme.test",
  "member@acme.test",
  "auditor@globex.test",
] as const;
export type SessionAccount = (typeof SESSION_ACCOUNTS)[number];

function stateDir(): string {
  const dir = process.env.E2E_STATE_DIR;
  if (!dir) throw new Error("E2E_STATE_DIR is not set: run the tests through playwright.config.ts");
  return dir;
}

/** Where the setup project keeps an account's signed-in browser state (Playwright's storageState). */
export function sessionFile(email: SessionAccount): string {
  return path.join(stateDir(), "sessions", `${email}.json`);
}

/** Signs in through the form, as a person would, and waits until the console has loaded. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, callbackUrl?: string): Promise<void> {
  await page.goto(callbackUrl ? `/login?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/orgs\//);
}

/**
 * Opens `url` (default `/`, which leads to the account's organization) signed in as a demo
 * account, with the session cookie the setup project got through the form: for tests whose
 * subject is not signing in. Auth.js keeps sessions in that signed cookie (JWT strategy), with
 * nothing on the server, so every context holds its own copy and none can end another's.
 * Tests of signing in or out, of other hosts or servers, and of an account whose permissions
 * change use signIn.
 */
export async function signedIn(page: Page, email: SessionAccount, url = "/"): Promise<void> {
  const { cookies } = JSON.parse(readFileSync(sessionFile(email), "utf8")) as {
    cookies: Parameters<ReturnType<Page["context"]>["addCookies"]>[0];
  };
  // The sign-in page reports the browser's time zone in a cookie; the setup project's browser
  // may have run in another zone, so this browser's own is written, as its sign-in would have.
  const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const session = cookies.filter((c) => c.name !== TIME_ZONE_COOKIE);
  const domain = session.find((c) => c.domain)?.domain ?? "127.0.0.1";
  await page.context().addCookies([...session, { name: TIME_ZONE_COOKIE, value: zone, domain, path: "/" }]);
  await page.goto(url);
  await expect(page).toHaveURL(/\/orgs\//);
}

/** API keys the e2e server created for the demo organizations. */
export function e2eApiKeys(): { acme: string; globex: string } {
  return JSON.parse(readFileSync(path.join(stateDir(), "api-keys.json"), "utf8")) as { acme: string; globex: string };
}
