import { randomUUID } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { ingest } from "./helpers/ingest";
import { signedIn } from "./helpers/sign-in";

/*
 * Autocomplete in the search box (issue 19): qualifier names and their values, keyboard first;
 * actions come from the organization's own log.
 */

const EXPLORER = "/orgs/acme/audit-logs";
const box = (page: Page) => page.getByRole("combobox", { name: "Search logs" });
const list = (page: Page) => page.getByRole("listbox", { name: "Suggestions" });

test("qualifiers and values are offered as you type, and taken with the keyboard or a click", async ({
  page,
  request,
}) => {
  const tag = `ac${randomUUID().slice(0, 8)}`;
  const action = `rotate_${tag}_credentials`;
  const [id] = await ingest(request, [
    { occurredAt: new Date().toISOString(), category: "vpn", action, result: "failed", description: `${tag} probe` },
  ]);
  await signedIn(page, "manager@acme.test", EXPLORER);

  // A qualifier's name: Tab takes the first suggestion and the list goes on with its values.
  await box(page).click();
  await box(page).pressSequentially("ty");
  await expect(list(page).getByRole("option").first()).toContainText("type:");
  await box(page).press("Tab");
  await expect(box(page)).toHaveValue("type:");
  await expect(box(page)).toBeFocused();
  await box(page).pressSequentially("v");
  await expect(list(page).getByRole("option")).toHaveText([/^vpn\s*VPN$/]);
  await box(page).press("ArrowDown");
  await expect(box(page)).toHaveAttribute("aria-activedescendant", /.+/);
  await box(page).press("Enter");
  await expect(box(page)).toHaveValue("type:vpn ");
  await expect(list(page)).toBeHidden();
  await expect(page).toHaveURL(/q=type(%3A|:)vpn/);

  // An action from the log, by its first letters; a click takes it, and the list shows the entry.
  await box(page).pressSequentially("action:rotate_");
  await box(page).pressSequentially(tag.slice(0, 6));
  const option = list(page).getByRole("option", { name: action });
  await expect(option).toBeVisible();
  await option.click();
  await expect(box(page)).toHaveValue(`type:vpn action:${action} `);
  await expect(page.locator(`tr[data-entry-id="${id}"]`)).toBeVisible();
  await expect(page.locator("tbody tr[data-entry-id]")).toHaveCount(1);

  // Escape closes the list and leaves the text; Enter with nothing chosen searches as before.
  await box(page).pressSequentially("res");
  await expect(list(page)).toBeVisible();
  await box(page).press("Escape");
  await expect(list(page)).toBeHidden();
  await expect(box(page)).toHaveValue(`type:vpn action:${action} res`);
});
