import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { signedIn } from "./helpers/sign-in";

/*
 * Saved views (issue 19): the current search saved under a name, shared with the organization,
 * opened by another member from their views menu, renamed and deleted by its owner; the
 * organization's own views stay buttons above the log.
 */

const EXPLORER = "/orgs/acme/audit-logs";
const SHOTS = "/tmp/explorer-shots";

const moreViews = (page: Page) => page.getByRole("button", { name: "More views" });

test("a member saves and shares the current search; another opens it; the owner renames and deletes it", async ({
  page,
  browser,
}) => {
  const name = `Failed VPN ${randomUUID().slice(0, 6)}`;
  await signedIn(page, "manager@acme.test", `${EXPLORER}?type=vpn&result=failed&q=tunnel`);
  await expect(page.getByRole("navigation", { name: "Saved views" }).getByRole("link")).toHaveText([
    "Permission changes",
    "Security events",
  ]);

  await moreViews(page).click();
  await page.getByRole("menuitem", { name: "Save this search…" }).click();
  const dialog = page.getByRole("dialog", { name: "Save this search" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("radio", { name: /in their views menu/ }).click();
  await page.screenshot({ path: `${SHOTS}/save-view-dialog.png` });
  await dialog.getByRole("button", { name: "Save view" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`Saved the view "${name}".`)).toBeVisible();

  // Saving the same name again is refused in the dialog, which stays open.
  await moreViews(page).click();
  await page.getByRole("menuitem", { name: "Save this search…" }).click();
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Save view" }).click();
  await expect(dialog.getByRole("alert")).toHaveText(`You already have a view named "${name}". Choose another name.`);
  await page.keyboard.press("Escape");

  // Another member finds it among the shared views, with its owner, and it opens that search.
  const admin = await browser.newContext();
  const other = await admin.newPage();
  await signedIn(other, "admin@acme.test", EXPLORER);
  await moreViews(other).click();
  const sharedItem = other.getByRole("menuitem", { name: new RegExp(`^${name}`) });
  await expect(sharedItem).toContainText("by Max Manager");
  await sharedItem.click();
  await expect(other).toHaveURL(/type=vpn/);
  await expect(other).toHaveURL(/result=failed/);
  await expect(other.getByRole("combobox", { name: "Search logs" })).toHaveValue("tunnel");
  await admin.close();

  // The owner renames it, then deletes it after confirming.
  await moreViews(page).click();
  await page.getByRole("menuitem", { name: "Manage views…" }).click();
  const manage = page.getByRole("dialog", { name: "Manage views" });
  const row = manage.getByRole("listitem", { name });
  await row.getByLabel(/^Name/).fill(`${name} (renamed)`);
  await row.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByText(`Renamed to "${name} (renamed)".`)).toBeVisible();
  const renamed = manage.getByRole("listitem", { name: `${name} (renamed)` });
  await renamed.getByRole("button", { name: "Delete" }).click();
  await expect(renamed).toContainText("Delete for everyone who uses it?");
  await renamed.getByRole("button", { name: "Delete view" }).click();
  await expect(renamed).toHaveCount(0);
  await page.keyboard.press("Escape");
  await moreViews(page).click();
  await expect(page.getByRole("menuitem", { name: new RegExp(name) })).toHaveCount(0);
});
