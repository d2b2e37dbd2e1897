import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test, type APIRequestContext, type BrowserContext } from "@playwright/test";
import { signIn } from "./helpers/sign-in";

/*
 * A server action posted from another site, from a sandboxed or privacy-stripped page (Origin:
 * null), with a malformed Origin or with none at all is refused plainly: 403 and a line saying why,
 * before Next.js or the action runs (Next.js itself answered 500 with an error digest, and let a
 * request without Origin through). Checked for the four actions that had no origin check of their
 * own (both sign-ins, sign-out, the user search) and for a permission change, with their real ids.
 */

const port = Number(process.env.E2E_PORT ?? 3100);
const origin = `http://127.0.0.1:${port}`;
const distDir = process.env.NEXT_DIST_DIR ?? ".next-test";

const REFUSAL = /^Refused: this request did not come from a page of this site \(.+\)\. Nothing was changed\.\n$/;

interface Action {
  name: string;
  file: string;
  page: string;
  args: unknown[];
}

const ACTIONS: Action[] = [
  { name: "signInWithPassword", file: "app/login/lib/actions.ts", page: "/login", args: [null, {}] },
  { name: "signInWithOidc", file: "app/login/lib/actions.ts", page: "/login", args: [{}] },
  { name: "signOutAction", file: "components/app-shell/sign-out-action.ts", page: "/orgs/acme/audit-logs", args: [{}] },
  {
    name: "searchUsers",
    file: "app/orgs/[org]/audit-logs/lib/actions.ts",
    page: "/orgs/acme/audit-logs",
    args: ["acme", "admin"],
  },
  {
    name: "grantPermission",
    file: "app/orgs/[org]/settings/access/lib/actions.ts",
    page: "/orgs/acme/settings/access",
    args: ["acme", { userId: "00000000-0000-4000-8000-000000000000", permission: "audit.view" }],
  },
];

/** The action's id in this build (the server-reference manifest names each by file and export). */
function actionId(action: Action): string {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  const found = Object.entries(manifest.node).find(
    ([, entry]) => entry.exportedName === action.name && entry.filename === action.file,
  );
  if (!found) throw new Error(`${action.name} (${action.file}) is not in the build at ${distDir}`);
  return found[0];
}

function post(request: APIRequestContext, action: Action, headers: Record<string, string>) {
  return request.post(action.page, {
    headers: {
      "next-action": actionId(action),
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      ...headers,
    },
    data: JSON.stringify(action.args),
    maxRedirects: 0,
  });
}

const BAD_ORIGINS: [string, Record<string, string>][] = [
  ["a foreign Origin", { origin: "https://evil.example" }],
  ["Origin: null", { origin: "null" }],
  ["a malformed Origin", { origin: "http://[bad" }],
  ["no Origin", {}],
];

let admin: BrowserContext;

test.beforeAll(async ({ browser }) => {
  admin = await browser.newContext({ baseURL: origin });
  const page = await admin.newPage();
  await signIn(page, "admin@acme.test");
  await page.close();
});
test.afterAll(async () => {
  await admin?.close();
});

for (const [label, headers] of BAD_ORIGINS) {
  test(`a server action from ${label} is refused with 403 and a reason`, async () => {
    for (const action of ACTIONS) {
      const response = await post(admin.request, action, headers);
      expect(response.status(), action.name).toBe(403);
      expect(response.headers()["content-type"], action.name).toBe("text/plain; charset=utf-8");
      expect(await response.text(), action.name).toMatch(REFUSAL);
    }
  });
}

test("the refused sign-out left the session alone; the same call from this site works", async () => {
  const signOut = ACTIONS.find((a) => a.name === "signOutAction")!;
  expect((await post(admin.request, signOut, { origin: "https://evil.example" })).status()).toBe(403);
  const page = await admin.request.get("/orgs/acme/audit-logs", { maxRedirects: 0 });
  expect(page.status()).toBe(200);

  // Control: the user search with the same encoding, from this site, answers its data.
  const search = ACTIONS.find((a) => a.name === "searchUsers")!;
  const found = await post(admin.request, search, { origin });
  expect(found.status()).toBe(200);
  expect(await found.text()).toContain("admin@acme.test");
});

test("a form posted without JavaScript from another site is refused too", async ({ playwright }) => {
  const anonymous = await playwright.request.newContext({ baseURL: origin });
  const response = await anonymous.post("/login", {
    headers: { origin: "https://evil.example" },
    multipart: { email: "admin@acme.test", password: "demo-password" },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(403);
  expect(await response.text()).toMatch(REFUSAL);
  expect(response.headers()["set-cookie"] ?? "").not.toContain("authjs.session-token");
  await anonymous.dispose();
});
