import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "demo-password";

/** Signs in through the form, as a person would, and waits until the console has loaded. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD, callbackUrl?: string): Promise<void> {
  await page.goto(callbackUrl ? `/login?callbackUrl=${encodeURIComponent(callbackUrl)}` : "/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/orgs\//);
}

/** API keys the e2e server created for the demo organizations. */
export function e2eApiKeys(): { acme: string; globex: string } {
  const dir = process.env.E2E_STATE_DIR;
  if (!dir) throw new Error("E2E_STATE_DIR is not set: run the tests through playwright.config.ts");
  return JSON.parse(readFileSync(path.join(dir, "api-keys.json"), "utf8")) as { acme: string; globex: string };
}
