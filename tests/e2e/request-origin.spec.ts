import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { parseCsv } from "../helpers/parse-csv";
import { exportAs, openExport } from "./helpers/export";
import { rawRequest } from "./helpers/raw-request";
import { e2eApiKeys, signIn } from "./helpers/sign-in";

/*
 * Links the console hands out name the host that was asked for (APP_URL is unset here), not the
 * address the server listens on; a host a client claims in X-Forwarded-Host is not believed
 * without a trusted proxy, and a malformed Host is refused.
 */

const port = Number(process.env.E2E_PORT ?? 3100);

function ingest(headers: Record<string, string>) {
  return rawRequest(port, {
    method: "POST",
    path: "/api/v1/audit-events",
    headers: { authorization: `Bearer ${e2eApiKeys().acme}`, "content-type": "application/json", ...headers },
    body: JSON.stringify({
      occurredAt: new Date().toISOString(),
      category: "service",
      action: "deploy",
      result: "done",
      description: `origin probe ${randomUUID()}`,
    }),
  });
}

function permalinkOf(body: string): string {
  const { entries } = JSON.parse(body) as { entries: { id: string; url: string }[] };
  return entries[0]!.url;
}

test("the ingestion answer's permalink uses the host the request was sent to", async () => {
  const answer = await ingest({ host: "audit.example.test:8443" });
  expect(answer.status).toBe(201);
  expect(permalinkOf(answer.body)).toMatch(/^http:\/\/audit\.example\.test:8443\/orgs\/acme\/audit-logs\/[^/]+$/);
});

test("without a trusted proxy, a client's X-Forwarded-Host and -Proto do not change the links", async () => {
  const answer = await ingest({
    host: `127.0.0.1:${port}`,
    "x-forwarded-host": "evil.example",
    "x-forwarded-proto": "https",
  });
  expect(answer.status).toBe(201);
  expect(permalinkOf(answer.body)).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/orgs/acme/audit-logs/`));
});

test("a request with a malformed Host is refused", async () => {
  for (const host of ["evil.example/path", "user@evil.example", "a b"]) {
    const answer = await rawRequest(port, { path: "/login", headers: { host } });
    expect(answer.status, host).toBe(400);
  }
});

test("Auth.js builds its redirects on the host that was asked for", async () => {
  const answer = await rawRequest(port, {
    path: `/api/auth/signin?callbackUrl=${encodeURIComponent("/orgs/acme/audit-logs")}`,
    headers: { host: "audit.example.test:8443" },
  });
  expect(answer.status).toBe(302);
  const location = new URL(answer.headers.location ?? "", "http://audit.example.test:8443");
  expect(location.origin + location.pathname).toBe("http://audit.example.test:8443/login");
  expect(location.searchParams.get("callbackUrl")).toBe("http://audit.example.test:8443/orgs/acme/audit-logs");
});

test("an export's permalinks use the host the browser is on", async ({ browser }) => {
  // localhost, not the 127.0.0.1 the server listens on and the other tests use.
  const baseURL = `http://localhost:${port}`;
  const context = await browser.newContext({ baseURL, acceptDownloads: true });
  const page = await context.newPage();
  await signIn(page, "manager@acme.test");
  await page.goto("/orgs/acme/audit-logs?period=24h&type=auth");
  await expect(page.locator("tr[data-entry-id]").first()).toBeVisible();
  const download = await exportAs(page, (await openExport(page)).dialog, "CSV");
  const { rows } = parseCsv((await readFile((await download.path())!)).subarray(3).toString("utf8"));
  const column = rows[0]!.indexOf("Permalink");
  expect(column).toBeGreaterThan(0);
  expect(rows.length).toBeGreaterThan(1);
  for (const row of rows.slice(1)) {
    expect(row[column]).toBe(`${baseURL}/orgs/acme/audit-logs/${row[0]}`);
  }
  await context.close();
});
