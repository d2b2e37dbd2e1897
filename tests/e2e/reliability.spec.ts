import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
import postgres from "postgres";
import { e2eApiKeys, signIn } from "./helpers/sign-in";

/*
 * Load and database faults against the built console on the server database (the playwright
 * project "reliability" runs this file after every other spec, because it ends the console's
 * database connections): many page loads and exports at once without a 500; the server ending
 * the console's backends while a page, an export, an ingestion batch and a transaction wait on
 * the database, each followed by a request that succeeds; 20 identical batches at once stored
 * once. The embedded database has no backends to end and serves one process, so there it is
 * skipped by condition.
 */

const APP_NAME = "e2e-reliability";
const EXPLORER = "/orgs/acme/audit-logs";
const PAGE_FAILED = /could not be loaded/;
const EXPORT_HEADER = /^Downloading a total of [\d,]+ records? from the current search\.$/;

function e2eDatabaseUrl(): string | null {
  const dir = process.env.E2E_STATE_DIR;
  if (!dir) return null;
  return (JSON.parse(readFileSync(path.join(dir, "database.json"), "utf8")) as { url: string | null }).url;
}

const databaseUrl = e2eDatabaseUrl();
test.skip(databaseUrl === null, "needs the server database: the embedded one has no backends to end");
test.describe.configure({ mode: "serial" });

let admin: postgres.Sql;
let page: Page;

test.beforeAll(async ({ browser }) => {
  admin = postgres(databaseUrl!, { max: 2, onnotice: () => {}, connection: { application_name: APP_NAME } });
  page = await browser.newPage();
  await signIn(page, "manager@acme.test");
});

test.afterAll(async () => {
  await page?.close();
  await admin?.end();
});

/** Waits until `condition` holds, checking every 25 ms. */
async function until(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the condition");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/*
 * Holds `table` locked in a transaction of our own until release() is called: a console statement
 * that touches it waits, in flight, on the database, for as long as the test wants.
 */
async function holdLock(table: string): Promise<{ blocked: () => Promise<number>; release: () => Promise<void> }> {
  const lock = await admin.reserve();
  await lock`begin`;
  await lock.unsafe(`lock table ${table} in access exclusive mode`);
  const [row] = await lock<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const pid = row!.pid;
  return {
    blocked: async () => {
      const [row] = await admin<{ n: number }[]>`
        select count(*)::int as n from pg_stat_activity where ${pid} = any(pg_blocking_pids(pid))`;
      return row!.n;
    },
    release: async () => {
      await lock`rollback`;
      lock.release();
    },
  };
}

/** Ends every backend the console holds on its database (pages, ingestion, exports, jobs). */
async function terminateConsoleBackends(): Promise<number> {
  const pids = (
    await admin<{ pid: number }[]>`
      select pid from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and application_name <> ${APP_NAME}
        and backend_type = 'client backend'`
  ).map((r) => r.pid);
  await admin`select pg_terminate_backend(pid) from unnest(${pids}::int[]) as pid`;
  await until(async () => {
    const [row] = await admin<
      { n: number }[]
    >`select count(*)::int as n from pg_stat_activity where pid = any(${pids}::int[])`;
    return row!.n === 0;
  });
  return pids.length;
}

async function expectPageWorks(request: APIRequestContext, url = EXPLORER): Promise<void> {
  const response = await request.get(url);
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).not.toMatch(PAGE_FAILED);
  expect(html).toContain("data-entry-id");
}

async function openExportDialog(): Promise<Locator> {
  await page.goto(EXPLORER);
  await page.getByRole("button", { name: "Export", exact: true }).first().click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: EXPORT_HEADER })).toBeVisible();
  await dialog.getByRole("radio", { name: /^CSV/ }).check();
  return dialog;
}

/*
 * Prepares an export through the dialog (the export action, a transaction) and keeps its
 * single-use download link: the browser's request for it is stopped before it reaches the server.
 */
async function prepareExport(dialog: Locator): Promise<string> {
  let link: string | null = null;
  await page.context().route("**/api/exports/**", (route) => {
    link = route.request().url();
    return route.abort();
  });
  try {
    await dialog.getByRole("button", { name: "Export", exact: true }).click();
    await expect.poll(() => link).not.toBeNull();
  } finally {
    await page.context().unroute("**/api/exports/**");
  }
  await expect(dialog.getByRole("button", { name: "Export", exact: true })).toBeEnabled();
  return link!;
}

function batch(prefix: string, size: number) {
  return {
    events: Array.from({ length: size }, (_, i) => ({
      idempotencyKey: `${prefix}-${i}`,
      occurredAt: new Date(Date.now() - i * 1000).toISOString(),
      actor: { id: "u_reliability", name: "Reliability Probe", email: "probe@example.test" },
      category: "service",
      action: "deploy",
      description: `reliability probe ${prefix} #${i}`,
      result: "done",
    })),
  };
}

function postBatch(request: APIRequestContext, body: unknown) {
  return request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${e2eApiKeys().acme}` },
    data: body,
  });
}

test("50 page loads at once: every one answers 200 with the log", async () => {
  const searches = ["", "?period=7d", "?period=30d&sort=user&dir=asc", "?q=deploy", "?type=auth,user"];
  const responses = await Promise.all(
    Array.from({ length: 50 }, (_, i) => page.request.get(`${EXPLORER}${searches[i % searches.length]}`)),
  );
  expect(responses.map((r) => r.status())).toEqual(Array(50).fill(200));
});

test("10 exports at once: each is a whole file or a 503 with Retry-After, never a 500", async () => {
  const dialog = await openExportDialog();
  const links: string[] = [];
  for (let i = 0; i < 10; i++) links.push(await prepareExport(dialog));
  const responses = await Promise.all(links.map((link) => page.request.get(link)));
  const statuses = responses.map((r) => r.status());
  expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
  for (const response of responses) {
    if (response.status() === 503) expect(response.headers()["retry-after"]).toMatch(/^\d+$/);
    else expect((await response.text()).split("\n").length).toBeGreaterThan(2);
  }
});

test("the server ends the console's backends while a page waits on the database: the next page loads", async () => {
  const lock = await holdLock("audit_logs");
  const inFlight = page.request.get(EXPLORER).catch((error: unknown) => error);
  try {
    await until(async () => (await lock.blocked()) > 0);
    expect(await terminateConsoleBackends()).toBeGreaterThan(0);
  } finally {
    await lock.release();
  }
  await inFlight; // may fail: its connection was ended under it
  await expectPageWorks(page.request);
  await expectPageWorks(page.request, `${EXPLORER}?period=30d`);
});

test("the server ends the console's backends while an export waits on the database: the next export is whole", async () => {
  const dialog = await openExportDialog();
  const first = await prepareExport(dialog);
  const second = await prepareExport(dialog);
  const lock = await holdLock("audit_logs");
  const inFlight = page.request.get(first);
  try {
    await until(async () => (await lock.blocked()) > 0);
    expect(await terminateConsoleBackends()).toBeGreaterThan(0);
  } finally {
    await lock.release();
  }
  // Nothing was sent before the first row: the export starts again on a new connection, or says
  // to try again (503), never a 500.
  const cut = await inFlight;
  expect([200, 503]).toContain(cut.status());
  if (cut.status() === 503) expect(cut.headers()["retry-after"]).toMatch(/^\d+$/);
  else expect((await cut.text()).trimEnd().split("\n").length).toBeGreaterThan(1);
  const response = await page.request.get(second);
  expect(response.status()).toBe(200);
  const lines = (await response.text()).trimEnd().split("\n");
  expect(lines[0]).toContain("ID");
  expect(lines.length).toBeGreaterThan(1);
});

test("the server ends the console's backends while an ingestion batch waits: 201 or 503, and the next batch is stored", async () => {
  const prefix = `reliability-${randomUUID()}`;
  const lock = await holdLock("audit_idempotency");
  const inFlight = postBatch(page.request, batch(`${prefix}-a`, 3));
  try {
    await until(async () => (await lock.blocked()) > 0);
    expect(await terminateConsoleBackends()).toBeGreaterThan(0);
  } finally {
    await lock.release();
  }
  const answer = await inFlight;
  expect([201, 503]).toContain(answer.status());
  if (answer.status() === 503) expect(answer.headers()["retry-after"]).toMatch(/^\d+$/);

  const next = await postBatch(page.request, batch(`${prefix}-b`, 3));
  expect(next.status()).toBe(201);
  const [row] = await admin<{ n: number }[]>`
    select count(*)::int as n from audit_idempotency where key like ${`${prefix}-b-%`}`;
  expect(row!.n).toBe(3);
});

test("the server ends the console's backends inside the export action's transaction: the server lives on and the next export starts", async () => {
  const dialog = await openExportDialog();
  const lock = await holdLock("export_tokens");
  let link: string | null = null;
  await page.context().route("**/api/exports/**", (route) => {
    link = route.request().url();
    return route.abort();
  });
  try {
    await dialog.getByRole("button", { name: "Export", exact: true }).click();
    await until(async () => (await lock.blocked()) > 0);
    expect(await terminateConsoleBackends()).toBeGreaterThan(0);
  } finally {
    await lock.release();
    await page.context().unroute("**/api/exports/**");
  }
  await expect(dialog.getByRole("button", { name: "Export", exact: true })).toBeEnabled();
  expect(link).toBeNull();

  const next = await prepareExport(dialog);
  const response = await page.request.get(next);
  expect(response.status()).toBe(200);
  await expectPageWorks(page.request);
});

test("20 identical batches at once: every answer is 201 with the same ids, and each event is stored once", async () => {
  const prefix = `parallel-${randomUUID()}`;
  const body = batch(prefix, 10);
  const responses = await Promise.all(Array.from({ length: 20 }, () => postBatch(page.request, body)));
  expect(responses.map((r) => r.status())).toEqual(Array(20).fill(201));
  const answers = await Promise.all(
    responses.map(async (r) => ((await r.json()) as { entries: { id: string }[] }).entries.map((e) => e.id)),
  );
  for (const ids of answers) expect(ids).toEqual(answers[0]);
  const stored = await admin<{ id: string }[]>`
    select l.id from audit_logs l join audit_idempotency k on k.org_id = l.org_id and k.entry_id = l.id
    where k.key like ${`${prefix}-%`}`;
  expect(stored.map((r) => r.id).sort()).toEqual([...answers[0]!].sort());
  const [all] = await admin<{ n: number }[]>`
    select count(*)::int as n from audit_logs where description like ${`reliability probe ${prefix} #%`}`;
  expect(all!.n).toBe(10);
});
