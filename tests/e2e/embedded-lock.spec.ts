import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { startExtraConsole } from "./helpers/extra-console";
import { DEMO_PASSWORD } from "./helpers/sign-in";

/*
 * The embedded database belongs to one process. Before the lock, `npm run apikey:create` beside a
 * running console printed a key the console refused, and after a restart an event the console had
 * answered 201 was gone (its idempotency key free again). Now the commands refuse while the
 * console holds the data folder, and nothing accepted is lost across a restart.
 */

const port = Number(process.env.E2E_PORT ?? 3100) + 13;
const dataDir = path.resolve(process.env.E2E_STATE_DIR ?? ".data/e2e", "embedded-lock", "pglite");

/** An operator command as the README runs it, on this spec's embedded database. */
function operatorCommand(script: string, args: string[]) {
  const { DATABASE_URL: _server, TEST_DATABASE_URL: _test, ...inherited } = process.env;
  const result = spawnSync("npm", ["run", "--silent", script, "--", ...args], {
    env: { ...inherited, PGLITE_DATA_DIR: dataDir },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test.beforeAll(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));
test.afterAll(() => rmSync(path.dirname(dataDir), { recursive: true, force: true }));

test("operator commands refuse while the console holds the embedded database, and no accepted event is lost", async ({
  page,
  playwright,
}) => {
  test.setTimeout(240_000);
  const seeded = operatorCommand("db:seed", ["--rows", "100"]);
  expect(seeded.status, seeded.stderr).toBe(0);
  const created = operatorCommand("apikey:create", ["--org", "acme", "--name", "lock-test"]);
  expect(created.status, created.stderr).toBe(0);
  const key = created.stdout.trim().split("\n").at(-1)!;
  expect(key, created.stdout).toMatch(/^ak_\S+$/);

  let server = await startExtraConsole("lock", port, {}, { dataDir });
  const api = await playwright.request.newContext({ baseURL: server.url });
  // Whatever fails, the console this test started does not outlive it.
  try {
    const event = {
      occurredAt: new Date().toISOString(),
      category: "service",
      action: "deploy",
      result: "done",
      description: "lockprobe accepted before the commands ran",
      idempotencyKey: "lock-test-1",
    };
    const post = () => api.post("/api/v1/audit-events", { headers: { authorization: `Bearer ${key}` }, data: event });
    const first = await post();
    expect(first.status(), await first.text()).toBe(201);
    const id = ((await first.json()) as { entries: { id: string }[] }).entries[0]!.id;

    for (const [script, args] of [
      ["apikey:create", ["--org", "acme", "--name", "beside-the-console"]],
      ["db:seed", ["--rows", "10"]],
      ["db:migrate", []],
      ["retention", []],
    ] as const) {
      const refused = operatorCommand(script, [...args]);
      expect(refused.status, `${script}: ${refused.stdout}`).toBe(1);
      expect(refused.stderr).toContain(
        `npm run ${script} refused: the embedded database in ${dataDir} is in use by the console (npm start) (pid `,
      );
      // A refusal prints no secret and no stack.
      expect(refused.stdout).not.toMatch(/ak_/);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }

    await server.stop();
    server = await startExtraConsole("lock", port, {}, { dataDir });
    const again = await post();
    expect(again.status()).toBe(201);
    // The key still names the entry stored the first time: nothing new was stored.
    expect(((await again.json()) as { entries: { id: string }[] }).entries).toEqual([expect.objectContaining({ id })]);

    await page.goto(`${server.url}/login`);
    await page.getByLabel("Email").fill("admin@acme.test");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/orgs\//);
    await page.goto(`${server.url}/orgs/acme/audit-logs?q=lockprobe`);
    await expect(page.locator("tr[data-entry-id]")).toHaveCount(1);
    await expect(page.locator(`tr[data-entry-id="${id}"]`)).toBeVisible();
  } finally {
    await api.dispose();
    await server.stop();
  }
});
