import { expect, test, type Page } from "@playwright/test";
import { e2eApiKeys, signedIn } from "./helpers/sign-in";

/*
 * Issue 15 items 5 and 6 through the built console: text PostgreSQL cannot store (a NUL, an
 * unpaired surrogate) and deep or large JSON are refused or shown, never a 500.
 */

const rows = (page: Page) => page.locator("tr[data-entry-id]");

async function ingest(request: import("@playwright/test").APIRequestContext, raw: string) {
  return request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys().acme}`, "content-type": "application/json" },
    data: raw,
  });
}

test("a NUL in q, user or any other search param is ignored with a message, and the log still shows", async ({
  page,
}) => {
  // Four page loads on a shared machine.
  test.slow();
  await signedIn(page, "manager@acme.test");
  for (const query of ["q=a%00b", "user=a%00b", "q=kim%00&user=%00&sort=%00&type=auth%00", "entry=a%00b"]) {
    const response = await page.goto(`/orgs/acme/audit-logs?${query}`);
    expect(response?.status(), query).toBe(200);
    await expect(page.getByText("The audit log could not be loaded")).toHaveCount(0);
    await expect(page.getByText("Part of the address was ignored")).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "\\u0000" }).first()).toBeVisible();
    await expect(rows(page).first()).toBeVisible();
  }
});

test("an organization slug with a NUL is simply not found", async ({ page }) => {
  await signedIn(page, "manager@acme.test");
  const response = await page.goto("/orgs/ac%00me/audit-logs");
  expect(response?.status()).toBe(404);
});

test("ingestion answers 400 naming the field for a NUL, a lone surrogate or 10,000 levels of nesting", async ({
  request,
}) => {
  const base = '"occurredAt":"2026-11-20T09:00:00Z","category":"service","action":"deploy","result":"done"';
  const cases: [string, string][] = [
    [`{${base},"description":"a\\u0000b"}`, "description"],
    [`{${base},"params":{"k\\ud800":1}}`, "params.k\\ud800"],
    [`{${base},"params":${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}}`, "params"],
  ];
  for (const [raw, field] of cases) {
    const response = await ingest(request, raw);
    expect(response.status(), field).toBe(400);
    const body = (await response.json()) as { fields: { field: string }[] };
    expect(body.fields.map((f) => f.field)).toContain(field);
  }
});

test("the details of an entry with a large value show an outline and its raw text on request", async ({
  page,
  request,
}) => {
  const tag = `wide-${Date.now()}`;
  const params = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key${i}`, `value ${i}`]));
  const event = {
    occurredAt: new Date().toISOString(),
    category: "service",
    action: tag,
    result: "done",
    params,
  };
  const stored = await ingest(request, JSON.stringify(event));
  expect(stored.status()).toBe(201);
  const [{ id }] = ((await stored.json()) as { entries: { id: string }[] }).entries as [{ id: string }];

  await signedIn(page, "manager@acme.test");
  const response = await page.goto(`/orgs/acme/audit-logs?entry=${id}`);
  expect(response?.status()).toBe(200);
  const html = await response!.text();
  expect(html.length).toBeLessThan(400_000);
  const details = page.getByRole("region", { name: "Log details" });
  await expect(details.getByText("This value is too large to show whole")).toBeVisible();
  await expect(details.getByLabel("Request parameters", { exact: true })).toContainText('"key0": "value 0"');
  await expect(details.getByLabel("Request parameters", { exact: true })).toContainText("… more not shown");
  await details.getByRole("button", { name: "Show raw JSON" }).click();
  await expect(details.getByLabel("Request parameters (raw JSON)")).toContainText('"key299":"value 299"');
});
