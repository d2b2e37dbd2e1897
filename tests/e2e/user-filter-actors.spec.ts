import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { e2eApiKeys, signIn } from "./helpers/sign-in";

/*
 * Issue 19, point 4: the user filter finds people who appear in the log but are not members (a
 * departed colleague, a service account), by name, email or id, once the background consumer has
 * added them to the organization's actor directory; picking one shows exactly their entries.
 */

const EXPLORER = "/orgs/acme/audit-logs";

async function ingest(
  request: APIRequestContext,
  events: Record<string, unknown>[],
  org: "acme" | "globex" = "acme",
): Promise<string[]> {
  const response = await request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys()[org]}` },
    data: { events },
  });
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { entries: { id: string }[] }).entries.map((e) => e.id);
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const event = (actor: Record<string, string>, minutes: number) => ({
  occurredAt: minutesAgo(minutes),
  actor,
  category: "service",
  action: "deploy",
  result: "done",
});

const rows = (page: Page) => page.locator("tr[data-entry-id]");

test("the user filter picks actors of the log who are not members, and shows their entries", async ({
  page,
  request,
}) => {
  const tag = `zed${randomUUID().slice(0, 8)}`;
  const outsider = { id: `u_${tag}`, name: `${tag} Outsider`, email: `${tag}@contractor.example` };
  const robot = { id: `svc_${tag}`, name: `${tag} Robot` };
  // Another organization's actor with the same prefix: never offered in Acme.
  await ingest(request, [event({ id: `u_${tag}_globex`, name: `${tag} Globex` }, 1)], "globex");
  const outsiderEntries = await ingest(request, [event(outsider, 3), event(outsider, 2)]);
  const robotEntries = await ingest(request, [event(robot, 1)]);

  await signIn(page, "manager@acme.test");
  await page.goto(EXPLORER);
  await page.getByRole("button", { name: "Filter" }).click();
  const box = page.getByLabel("Find a user by name, email or id");
  const outsiderOption = page.getByRole("option").filter({ hasText: outsider.email });
  // The directory is filled in the background, off the ingestion path: search again until it has them.
  await expect(async () => {
    await box.fill("");
    await box.fill(tag);
    await expect(outsiderOption).toBeVisible({ timeout: 2000 });
  }).toPass();
  await expect(page.getByRole("option").filter({ hasText: robot.name })).toBeVisible();
  await expect(page.getByRole("option").filter({ hasText: "Globex" })).toHaveCount(0);
  await expect(outsiderOption).toContainText("not a member");

  // By keyboard, as before: down to the outsider, Enter.
  const options = page.getByRole("option");
  const index = (await options.allTextContents()).findIndex((text) => text.includes(outsider.email));
  expect(index).toBeGreaterThanOrEqual(0);
  for (let i = 0; i < index; i++) await box.press("ArrowDown");
  await expect(outsiderOption).toHaveAttribute("aria-selected", "true");
  await box.press("Enter");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`user=${tag}(%40|@)contractor\\.example`));
  await expect(page.getByRole("group", { name: "Active filters" })).toContainText(outsider.name);
  await expect(rows(page)).toHaveCount(outsiderEntries.length);
  expect((await rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-entry-id")))).sort()).toEqual(
    [...outsiderEntries].sort(),
  );

  // A service account has no email: it is found by its id and filtered by it.
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByRole("button", { name: "Clear user" }).click();
  await page.getByLabel("Find a user by name, email or id").fill(`svc_${tag}`);
  const robotOption = page.getByRole("option").filter({ hasText: robot.name });
  await expect(robotOption).toContainText("not a member");
  await robotOption.click();
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(new RegExp(`user=svc_${tag}(&|$)`));
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toHaveAttribute("data-entry-id", robotEntries[0]!);
});
