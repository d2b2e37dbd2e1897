import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { signIn } from "./helpers/sign-in";

/*
 * The access request round trip in two browsers: the member asks from the notice, the admin sees
 * the badge and approves, the member's next visit shows the log; a revocation shows the notice
 * again at the member's next request (an open export modal and a prepared export link are refused
 * once export is revoked); a declined request is reported once. The member ends the
 * file as they started it: no audit permission and no open request.
 */

const NOTICE = "If you cannot access this feature, please request permission from your organization manager.";
// An account of the e2e run only (scripts/e2e-server.ts): its permissions change here while other
// specs, in parallel, check that the demo member has none.
const MEMBER = { email: "requester@acme.test", name: "Rhea Requester" };
// A manager of the e2e run only, holding view and export but not audit.manage.
const MANAGER = { email: "steward@acme.test", name: "Sam Steward" };

test.describe.configure({ mode: "serial" });

let member: Page;
let admin: Page;
const contexts: BrowserContext[] = [];

async function signedIn(browser: import("@playwright/test").Browser, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  contexts.push(context);
  const page = await context.newPage();
  await signIn(page, email);
  return page;
}

const memberSwitch = (label: "View logs" | "Export") =>
  admin.getByRole("switch", { name: `${label} for ${MEMBER.name}` });
const requestItem = () => admin.locator(`li[data-request-email="${MEMBER.email}"]`);

async function setMemberPermission(label: "View logs" | "Export", on: boolean): Promise<void> {
  const control = memberSwitch(label);
  if ((await control.getAttribute("aria-checked")) !== String(on)) {
    await control.click();
    await expect(control).toHaveAttribute("aria-checked", String(on));
    await expect(control).toBeEnabled();
  }
}

test.beforeAll(async ({ browser }) => {
  member = await signedIn(browser, MEMBER.email);
  admin = await signedIn(browser, "admin@acme.test");
});

test.afterAll(async () => {
  // Leave the requester as the file found them: no permission, nothing pending (a rerun on the same server).
  await admin.goto("/orgs/acme/settings/access");
  if ((await requestItem().count()) > 0) {
    await requestItem()
      .getByRole("button", { name: /^Decline/ })
      .click();
    await expect(requestItem()).toHaveCount(0);
  }
  await setMemberPermission("Export", false);
  await setMemberPermission("View logs", false);
  for (const context of contexts) await context.close();
});

test("the member asks for access from the notice, once", async () => {
  await member.goto("/orgs/acme/audit-logs");
  await expect(member.getByText(NOTICE)).toBeVisible();
  await member.getByLabel("Message (optional)").fill("Investigating incident 42");
  await member.getByRole("button", { name: "Request access" }).click();
  await expect(member.getByText("Request sent", { exact: true })).toBeVisible();

  // The next visit shows the open request instead of a second form.
  await member.reload();
  await expect(member.getByText(NOTICE)).toBeVisible();
  await expect(member.getByText("Request pending")).toBeVisible();
  await expect(member.getByRole("button", { name: "Request access" })).toHaveCount(0);
  await expect(member.locator("tr[data-entry-id]")).toHaveCount(0);
});

test("the admin sees the request in the sidebar badge and on the access page, and approves it", async () => {
  await admin.goto("/orgs/acme/audit-logs");
  await expect(admin.getByLabel(/\d+ pending access requests?/)).toBeVisible();

  await admin.getByRole("link", { name: /Access/ }).click();
  await expect(admin).toHaveURL(/\/orgs\/acme\/settings\/access/);
  await expect(requestItem()).toContainText("Investigating incident 42");
  await expect(memberSwitch("View logs")).toHaveAttribute("aria-checked", "false");

  await requestItem()
    .getByRole("button", { name: `Approve access request from ${MEMBER.name}` })
    .click();
  await expect(admin.getByText(`${MEMBER.name} can now view and export the audit log.`)).toBeVisible();
  await expect(requestItem()).toHaveCount(0);
  await expect(memberSwitch("View logs")).toHaveAttribute("aria-checked", "true");
  await expect(memberSwitch("Export")).toHaveAttribute("aria-checked", "true");
  await expect(admin.getByRole("list", { name: "Decided access requests" })).toContainText(MEMBER.name);
});

test("the member's next visit shows the audit log, and says once that the request was approved", async () => {
  await member.reload();
  await expect(member.getByText(NOTICE)).toHaveCount(0);
  await expect(member.locator("tr[data-entry-id]").first()).toBeVisible();
  const approved = member.getByRole("status").filter({ hasText: "Your access request was approved" });
  await expect(approved).toContainText("Ada Admin approved it");
  await expect(approved).toContainText("you can now view and export the audit log");
  await member.reload();
  await expect(member.locator("tr[data-entry-id]").first()).toBeVisible();
  await expect(member.getByText("Your access request was approved")).toHaveCount(0);
});

test("revoking export refuses the member's open export modal and the export token already prepared", async () => {
  await member.goto("/orgs/acme/audit-logs");
  await member.getByRole("button", { name: "Export", exact: true }).first().click();
  const dialog = member.getByRole("dialog");
  await expect(
    dialog.getByRole("heading", { name: /^Downloading a total of [\d,]+ records? from the current search\.$/ }),
  ).toBeVisible();

  // Prepare an export, but keep its single-use download link unused: the browser's request for it
  // is stopped here and the link kept for later.
  let prepared: string | null = null;
  await member.context().route("**/api/exports/**", (route) => {
    prepared = route.request().url();
    return route.abort();
  });
  await dialog.getByRole("button", { name: "Export", exact: true }).click();
  await expect.poll(() => prepared).not.toBeNull();
  await member.context().unroute("**/api/exports/**");
  await expect(dialog.getByRole("button", { name: "Export", exact: true })).toBeEnabled();

  await admin.goto("/orgs/acme/settings/access");
  await setMemberPermission("Export", false);
  await expect(admin.getByText(`${MEMBER.name} can no longer use “Export”.`)).toBeVisible();

  // The modal is still open on the member's screen: its Export is now refused by the server.
  await dialog.getByRole("button", { name: "Export", exact: true }).click();
  await expect(dialog.getByText(NOTICE)).toBeVisible();

  // The link prepared before the revocation no longer yields a file.
  const download = await member.context().request.get(prepared!);
  expect(download.status()).toBe(403);
  expect(download.headers()["content-disposition"] ?? "").not.toMatch(/attachment/);
  expect(await download.text()).toContain(NOTICE);

  // Still allowed to view: the log shows, without the Export button.
  await member.reload();
  await expect(member.locator("tr[data-entry-id]").first()).toBeVisible();
  await expect(member.getByRole("button", { name: "Export", exact: true })).toHaveCount(0);
});

test("revoking view applies at the member's next request", async () => {
  await admin.goto("/orgs/acme/settings/access");
  await setMemberPermission("Export", false);
  await setMemberPermission("View logs", false);
  await expect(admin.getByText(`${MEMBER.name} can no longer use “View logs”.`)).toBeVisible();

  await member.reload();
  await expect(member.getByText(NOTICE)).toBeVisible();
  await expect(member.locator("tr[data-entry-id]")).toHaveCount(0);
});

test("a declined request is reported once, and the member may ask again", async () => {
  await member.goto("/orgs/acme/audit-logs");
  await member.getByRole("button", { name: "Request access" }).click();
  await expect(member.getByText("Request sent", { exact: true })).toBeVisible();

  await admin.goto("/orgs/acme/settings/access");
  await requestItem()
    .getByRole("button", { name: `Decline access request from ${MEMBER.name}` })
    .click();
  await expect(admin.getByText(`The request from ${MEMBER.name} was declined.`)).toBeVisible();
  await expect(requestItem()).toHaveCount(0);
  await expect(memberSwitch("View logs")).toHaveAttribute("aria-checked", "false");

  await member.reload();
  await expect(member.getByText(/Your access request was declined by Ada Admin/)).toBeVisible();
  await expect(member.getByRole("button", { name: "Request access" })).toBeVisible();
  await member.reload();
  await expect(member.getByText(/Your access request was declined/)).toHaveCount(0);
  await expect(member.getByText(NOTICE)).toBeVisible();
  await expect(member.getByRole("button", { name: "Request access" })).toBeVisible();
});

test.describe("settings need audit.manage", () => {
  let manager: Page;
  const managerItem = () => admin.locator(`li[data-request-email="${MANAGER.email}"]`);

  test.beforeAll(async ({ browser }) => {
    manager = await signedIn(browser, MANAGER.email);
  });

  test.afterAll(async () => {
    // The steward ends without audit.manage and with nothing pending, as the file found them.
    await admin.goto("/orgs/acme/settings/access");
    if ((await managerItem().count()) > 0) {
      await managerItem()
        .getByRole("button", { name: /^Decline/ })
        .click();
      await expect(managerItem()).toHaveCount(0);
    }
    const manage = admin.getByRole("switch", { name: `Manage for ${MANAGER.name}` });
    if ((await manage.getAttribute("aria-checked")) === "true") {
      await manage.click();
      await expect(manage).toHaveAttribute("aria-checked", "false");
    }
  });

  test("a manager without audit.manage is told what they lack and asks for it; a decline is reported once", async () => {
    await manager.goto("/orgs/acme/settings/retention");
    await expect(manager.getByText("You cannot manage this organization's audit settings")).toBeVisible();
    await expect(
      manager.getByText(/need the “Manage” permission \(audit\.manage\), which you do not hold/),
    ).toBeVisible();
    await expect(manager.getByText("You can still view the audit log.", { exact: false })).toBeVisible();
    await expect(manager.getByText(NOTICE)).toBeVisible();
    await expect(manager.getByText("You do not have access to the audit log")).toHaveCount(0);
    await manager.getByLabel("Message (optional)").fill("Retention review");
    await manager.getByRole("button", { name: "Request access" }).click();
    await expect(manager.getByText("Request sent", { exact: true })).toBeVisible();
    // Another settings page knows the same open request.
    await manager.goto("/orgs/acme/settings/api-keys");
    await expect(manager.getByText("Request pending")).toBeVisible();

    await admin.goto("/orgs/acme/settings/access");
    await expect(managerItem()).toContainText("Asks to manage audit settings");
    await expect(managerItem()).toContainText("Retention review");
    await managerItem()
      .getByRole("button", { name: `Decline access request from ${MANAGER.name}` })
      .click();
    await expect(admin.getByText(`The request from ${MANAGER.name} was declined.`)).toBeVisible();

    await manager.goto("/orgs/acme/settings/retention");
    await expect(manager.getByText(/Your request to manage audit settings was declined by Ada Admin/)).toBeVisible();
    await manager.reload();
    await expect(manager.getByText(/was declined/)).toHaveCount(0);
    await expect(manager.getByRole("button", { name: "Request access" })).toBeVisible();
  });

  test("an approved request grants Manage, and the next visit says so once", async () => {
    await manager.goto("/orgs/acme/settings/retention");
    await manager.getByRole("button", { name: "Request access" }).click();
    await expect(manager.getByText("Request sent", { exact: true })).toBeVisible();

    await admin.goto("/orgs/acme/settings/access");
    await managerItem()
      .getByRole("button", { name: `Approve access request from ${MANAGER.name}` })
      .click();
    await expect(admin.getByText(`${MANAGER.name} can now manage audit settings.`)).toBeVisible();
    await expect(admin.getByRole("switch", { name: `Manage for ${MANAGER.name}` })).toHaveAttribute(
      "aria-checked",
      "true",
    );

    await manager.reload();
    await expect(manager.getByRole("heading", { name: "Retention", exact: true })).toBeVisible();
    const approved = manager.getByRole("status").filter({ hasText: "Your access request was approved" });
    await expect(approved).toContainText("you can now manage audit settings");
    await manager.reload();
    await expect(manager.getByRole("heading", { name: "Retention", exact: true })).toBeVisible();
    await expect(manager.getByText("Your access request was approved")).toHaveCount(0);
  });
});
