import { mkdirSync } from "node:fs";
import path from "node:path";
import { test as setup } from "@playwright/test";
import { SESSION_ACCOUNTS, sessionFile, signIn } from "./helpers/sign-in";

/*
 * Signs each demo account in once, through the form, and keeps its browser state for the tests
 * that only need to be signed in (helpers/sign-in.ts, signedIn): a sign-in through the form costs
 * a page load, a password hash and a redirect, and most tests are about something else.
 */
// Independent of one another: spread over the workers, since the other tests wait for all of them.
setup.describe.configure({ mode: "parallel" });

for (const email of SESSION_ACCOUNTS) {
  setup(`sign in as ${email}`, async ({ page }) => {
    await signIn(page, email);
    mkdirSync(path.dirname(sessionFile(email)), { recursive: true });
    await page.context().storageState({ path: sessionFile(email) });
  });
}
