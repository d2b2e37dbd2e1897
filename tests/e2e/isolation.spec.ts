import { randomUUID } from "node:crypto";
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { e2eApiKeys, signedIn } from "./helpers/sign-in";

/*
 * Who gets data, walked page by page and route by route as four people: signed out, a member of
 * Acme without audit permission, Globex's auditor (another organization) and Acme's admin. Then
 * the same requests dressed up as framework-internal ones (x-middleware-subrequest, RSC), sign-in
 * redirects to other sites, and replayed server actions from a foreign, null or missing Origin.
 */

const NOTICE = "If you cannot access this feature, please request permission from your organization manager.";
const NOT_FOUND =
  "This entry could not be found. It may not exist, may be in another organization, or may have been removed by the retention policy.";
type Who = "signed-out" | "member" | "other-org" | "admin";
const ACCOUNTS = { member: "member@acme.test", "other-org": "auditor@globex.test", admin: "admin@acme.test" } as const;
const PEOPLE: Who[] = ["signed-out", "member", "other-org", "admin"];

test.describe.configure({ mode: "serial" });

let baseURL: string;
const contexts = new Map<Who, BrowserContext>();
const acme = { id: "", marker: `acme-secret-${randomUUID().slice(0, 8)}` };
const globex = { id: "", marker: `globex-secret-${randomUUID().slice(0, 8)}` };

async function ingest(request: APIRequestContext, key: string, marker: string): Promise<string> {
  const response = await request.post("/api/v1/audit-events", {
    headers: { authorization: `Bearer ${key}` },
    data: {
      occurredAt: new Date().toISOString(),
      actor: { id: "u_isolation", name: "Isolation Probe", email: "probe@example.test" },
      category: "secret",
      action: "rotate",
      description: `rotate ${marker}`,
      target: { type: "secret", id: marker, name: marker },
      result: "done",
    },
  });
  expect(response.status()).toBe(201);
  const { entries } = (await response.json()) as { entries: { id: string }[] };
  return entries[0]!.id;
}

async function newContext(browser: Browser, who: Who): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL });
  if (who !== "signed-out") {
    const page = await context.newPage();
    await signedIn(page, ACCOUNTS[who]);
    await page.close();
  }
  return context;
}

function ctx(who: Who): BrowserContext {
  const context = contexts.get(who);
  if (!context) throw new Error(`no context for ${who}`);
  return context;
}

async function open(who: Who, path: string): Promise<Page> {
  const page = await ctx(who).newPage();
  await page.goto(path);
  return page;
}

test.beforeAll(async ({ browser, playwright }) => {
  baseURL = test.info().project.use.baseURL!;
  const api = await playwright.request.newContext({ baseURL });
  const keys = e2eApiKeys();
  acme.id = await ingest(api, keys.acme, acme.marker);
  globex.id = await ingest(api, keys.globex, globex.marker);
  await api.dispose();
  for (const who of PEOPLE) contexts.set(who, await newContext(browser, who));
});

test.afterAll(async () => {
  for (const context of contexts.values()) await context.close();
});

// Each page, and what each person must see there. Searching for the marker keeps the probe entry on
// the first page whatever else the suite writes meanwhile.
const PAGES = [
  { name: "the explorer", path: () => `/orgs/acme/audit-logs?q=${acme.marker}`, data: "entries" },
  { name: "an entry's permalink", path: () => `/orgs/acme/audit-logs/${acme.id}`, data: "entries" },
  { name: "the access settings", path: () => "/orgs/acme/settings/access", data: "settings" },
  { name: "the retention settings", path: () => "/orgs/acme/settings/retention", data: "settings" },
  { name: "the API keys settings", path: () => "/orgs/acme/settings/api-keys", data: "settings" },
] as const;

test.describe("pages", () => {
  test("/ sends each person to their own organization, or to sign in", async () => {
    const expected: Record<Who, RegExp> = {
      "signed-out": /\/login/,
      member: /\/orgs\/acme\/audit-logs/,
      "other-org": /\/orgs\/globex\/audit-logs/,
      admin: /\/orgs\/acme\/audit-logs/,
    };
    for (const who of PEOPLE) {
      const page = await open(who, "/");
      await expect(page, who).toHaveURL(expected[who]);
      await page.close();
    }
  });

  for (const target of PAGES) {
    test(`${target.name}: signed-out visitors are sent to sign in and shown nothing`, async () => {
      const page = await open("signed-out", target.path());
      await expect(page).toHaveURL(/\/login\?callbackUrl=%2Forgs%2Facme%2F/);
      await expect(page.getByText(acme.marker)).toHaveCount(0);
      await page.close();
    });

    test(`${target.name}: another organization's auditor gets the not-found page`, async () => {
      const page = await open("other-org", target.path());
      await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
      await expect(page.locator("tr[data-entry-id]")).toHaveCount(0);
      await expect(page.getByText(acme.marker)).toHaveCount(0);
      await expect(page.getByText(NOTICE)).toHaveCount(0);
      await page.close();
    });

    test(`${target.name}: a member without permission gets the notice and no data`, async () => {
      const page = await open("member", target.path());
      await expect(page.getByText(NOTICE)).toBeVisible();
      await expect(page.locator("tr[data-entry-id]")).toHaveCount(0);
      await expect(page.locator("tr[data-member-email], tr[data-api-key-id]")).toHaveCount(0);
      await expect(page.getByText(acme.marker)).toHaveCount(0);
      await page.close();
    });

    test(`${target.name}: the admin gets the data`, async () => {
      const page = await open("admin", target.path());
      await expect(page.getByRole("heading", { name: "Page not found" })).toHaveCount(0);
      await expect(page.getByText(NOTICE)).toHaveCount(0);
      if (target.data === "entries") {
        await expect(page.locator(`tr[data-entry-id="${acme.id}"]`)).toBeVisible();
        await expect(page.locator(`tr[data-entry-id="${acme.id}"]`)).toContainText(acme.marker);
      } else {
        await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      }
      await page.close();
    });
  }

  test("signed-out visitors get a plain 307 to sign in, with the whole URL as the way back", async () => {
    const paths = [
      `/orgs/acme/audit-logs?entry=${acme.id}&type=secret`,
      "/orgs/acme/settings/access",
      // An organization that does not exist answers the same: signed out, nothing tells them apart.
      "/orgs/no-such-org/audit-logs?q=x",
    ];
    for (const path of paths) {
      const response = await ctx("signed-out").request.get(path, { maxRedirects: 0 });
      expect(response.status(), path).toBe(307);
      const location = new URL(response.headers()["location"] ?? "", baseURL);
      expect(location.pathname + location.search, path).toBe(`/login?callbackUrl=${encodeURIComponent(path)}`);
      expect(await response.text(), path).not.toContain(acme.marker);
    }
  });

  test("the access page lists Acme's members to the admin and nobody from Globex", async () => {
    const page = await open("admin", "/orgs/acme/settings/access");
    await expect(page.locator('tr[data-member-email="member@acme.test"]')).toBeVisible();
    await expect(page.locator('tr[data-member-email="auditor@globex.test"]')).toHaveCount(0);
    await page.close();
  });

  test("an entry of another organization stays invisible, by permalink or by search", async () => {
    const admin = await open("admin", `/orgs/acme/audit-logs/${globex.id}`);
    // The same answer as for an entry that does not exist.
    await expect(admin.getByText(NOT_FOUND)).toBeVisible();
    await expect(admin.getByText(NOTICE)).toHaveCount(0);
    await expect(admin.locator(`tr[data-entry-id="${globex.id}"]`)).toHaveCount(0);
    await expect(admin.getByText(globex.marker)).toHaveCount(0);
    await admin.goto(`/orgs/acme/audit-logs?q=${globex.marker}`);
    await expect(admin.getByText(globex.marker)).toHaveCount(0);
    await admin.close();

    const auditor = await open("other-org", `/orgs/globex/audit-logs?q=${globex.marker}`);
    await expect(auditor.locator(`tr[data-entry-id="${globex.id}"]`)).toBeVisible();
    await auditor.goto(`/orgs/globex/audit-logs/${acme.id}`);
    await expect(auditor.getByText(NOT_FOUND)).toBeVisible();
    await expect(auditor.locator(`tr[data-entry-id="${acme.id}"]`)).toHaveCount(0);
    await expect(auditor.getByText(acme.marker)).toHaveCount(0);
    await auditor.close();
  });
});

test.describe("route handlers", () => {
  test("a bogus export token yields no file, whoever asks", async () => {
    for (const who of PEOPLE) {
      const response = await ctx(who).request.get(`/api/exports/${randomUUID()}${randomUUID()}`, { maxRedirects: 0 });
      expect([401, 403, 404, 410], `${who}: ${response.status()}`).toContain(response.status());
      expect(response.headers()["content-disposition"] ?? "", who).not.toMatch(/attachment/);
    }
  });

  test("an entry's permalink answers with a plain redirect: to sign in, or to the explorer that checks", async () => {
    const permalink = `/orgs/acme/audit-logs/${acme.id}`;
    const expected: Record<Who, string> = {
      "signed-out": `/login?callbackUrl=${encodeURIComponent(permalink)}`,
      member: `/orgs/acme/audit-logs?entry=${acme.id}`,
      "other-org": `/orgs/acme/audit-logs?entry=${acme.id}`,
      admin: `/orgs/acme/audit-logs?entry=${acme.id}`,
    };
    for (const who of PEOPLE) {
      const response = await ctx(who).request.get(permalink, { maxRedirects: 0 });
      // Not a 200 with a client-side refresh: mail clients, link checkers and scripts follow a 307.
      expect(response.status(), who).toBe(307);
      const location = new URL(response.headers()["location"] ?? "", baseURL);
      expect(location.pathname + location.search, who).toBe(expected[who]);
      expect(await response.text(), who).not.toContain(acme.marker);
    }
  });

  test("the ingestion API takes an API key and never a session", async () => {
    for (const who of PEOPLE) {
      const response = await ctx(who).request.post("/api/v1/audit-events", {
        data: { occurredAt: new Date().toISOString(), category: "secret", action: "forge", result: "done" },
      });
      expect(response.status(), who).toBe(401);
    }
  });
});

test.describe("framework-internal headers and URL variants change nothing", () => {
  const variants: { name: string; path: (p: string) => string; headers: Record<string, string> }[] = [
    {
      name: "x-middleware-subrequest (middleware)",
      path: (p) => p,
      headers: { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
    },
    {
      name: "x-middleware-subrequest (src/middleware)",
      path: (p) => p,
      headers: {
        "x-middleware-subrequest": "src/middleware:src/middleware:src/middleware:src/middleware:src/middleware",
      },
    },
    {
      name: "x-middleware-subrequest (proxy)",
      path: (p) => p,
      headers: { "x-middleware-subrequest": "proxy:proxy:proxy:proxy:proxy" },
    },
    { name: "RSC: 1", path: (p) => p, headers: { RSC: "1" } },
    { name: "RSC prefetch", path: (p) => p, headers: { RSC: "1", "Next-Router-Prefetch": "1" } },
    { name: "?_rsc=1", path: (p) => `${p}${p.includes("?") ? "&" : "?"}_rsc=1`, headers: {} },
    {
      name: "?_rsc=1 with RSC: 1 and x-middleware-subrequest",
      path: (p) => `${p}${p.includes("?") ? "&" : "?"}_rsc=1`,
      headers: { RSC: "1", "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" },
    },
    { name: ".rsc suffix", path: (p) => p.replace(/(\?|$)/, ".rsc$1"), headers: {} },
  ];
  // The marker is never part of a URL below, so finding it in an answer means data was served.
  const paths = () => [
    "/orgs/acme/audit-logs",
    `/orgs/acme/audit-logs?entry=${acme.id}`,
    `/orgs/acme/audit-logs/${acme.id}`,
    "/orgs/acme/settings/access",
    "/orgs/acme/settings/api-keys",
  ];

  for (const variant of variants) {
    test(`${variant.name}: no Acme data for anyone but the admin`, async () => {
      for (const who of ["signed-out", "member", "other-org"] as const) {
        for (const path of paths()) {
          const response = await ctx(who).request.get(variant.path(path), { headers: variant.headers });
          const body = await response.text();
          const label = `${who} ${variant.name} ${path}`;
          expect(body, label).not.toContain(acme.marker);
          expect(body, label).not.toContain("data-entry-id");
          // A colleague who cannot sign in: named only in the admin's access table and Acme's entries.
          expect(body, label).not.toContain("lucas.moreau@acme.test");
          expect(body, label).not.toContain("data-api-key-id");
        }
      }
    });
  }

  test("the same requests do reach the admin, so the checks above can fail", async () => {
    const entry = await ctx("admin").request.get(`/orgs/acme/audit-logs?entry=${acme.id}`, { headers: { RSC: "1" } });
    expect(await entry.text()).toContain(acme.marker);
    const access = await ctx("admin").request.get("/orgs/acme/settings/access", { headers: { RSC: "1" } });
    expect(await access.text()).toContain("lucas.moreau@acme.test");
  });

  test("x-middleware-subrequest does not turn a sign-in redirect or a not-found into a page", async () => {
    const headers = { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" };
    const signedOut = await ctx("signed-out").newPage();
    await signedOut.setExtraHTTPHeaders(headers);
    await signedOut.goto("/orgs/acme/audit-logs");
    await expect(signedOut).toHaveURL(/\/login/);
    await signedOut.close();
    const other = await ctx("other-org").newPage();
    await other.setExtraHTTPHeaders(headers);
    await other.goto("/orgs/acme/audit-logs");
    await expect(other.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await other.close();
  });
});

test.describe("sign-in only ever redirects within the site", () => {
  const targets = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "http://127.0.0.1.evil.example/",
    "javascript:alert(1)",
    // Dot segments that collapse into //evil.example once the path is resolved.
    "/..//evil.example",
    "/.//evil.example",
    "/a/..//evil.example",
    "/%2e%2e//evil.example/phish",
  ];
  const DOT_SEGMENT_TARGETS = targets.filter((t) => t.startsWith("/") && t.includes("."));

  for (const target of targets) {
    test(`callbackUrl=${target}`, async ({ browser }) => {
      const context = await browser.newContext({ baseURL });
      const offsite: string[] = [];
      // Any request to another host (not merely a URL mentioning one in its query) is recorded and stopped.
      await context.route(
        (url) => url.hostname.endsWith("evil.example"),
        (route) => {
          offsite.push(route.request().url());
          return route.abort();
        },
      );
      const page = await context.newPage();
      await page.goto(`/login?callbackUrl=${encodeURIComponent(target)}`);
      await page.getByLabel("Email").fill("member@acme.test");
      await page.getByLabel("Password").fill("demo-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/orgs\/acme\/audit-logs/);
      expect(new URL(page.url()).origin).toBe(new URL(baseURL).origin);

      // Signed in already, the login page redirects straight away: still on this site.
      await page.goto(`/login?callbackUrl=${encodeURIComponent(target)}`);
      await expect(page).toHaveURL(/\/orgs\/acme\/audit-logs/);
      expect(offsite).toEqual([]);
      await context.close();
    });
  }

  test("next-auth's own endpoints refuse an off-site callbackUrl", async () => {
    for (const path of ["/api/auth/signin", "/api/auth/signout", "/api/auth/error"]) {
      for (const target of ["https://evil.example/", ...DOT_SEGMENT_TARGETS]) {
        const first = await ctx("signed-out").request.get(`${path}?callbackUrl=${encodeURIComponent(target)}`, {
          maxRedirects: 0,
        });
        const location = first.headers()["location"];
        if (location) expect(new URL(location, baseURL).origin, `${path} ${target}`).toBe(new URL(baseURL).origin);
      }
    }
  });

  test("signed in, the login page answers a 307 to a path of this site, never //evil.example", async () => {
    for (const target of DOT_SEGMENT_TARGETS) {
      const response = await ctx("member").request.get(`/login?callbackUrl=${encodeURIComponent(target)}`, {
        maxRedirects: 0,
      });
      expect(response.status(), target).toBe(307);
      const location = response.headers()["location"] ?? "";
      expect(location, target).toMatch(/^\/(?![/\\])/);
      expect(new URL(location, baseURL).origin, target).toBe(new URL(baseURL).origin);
    }
  });

  test("Auth.js's sign-in callback sends a signed-in redirect to this site, never to evil.example", async ({
    playwright,
  }) => {
    for (const target of DOT_SEGMENT_TARGETS) {
      const request = await playwright.request.newContext({ baseURL });
      const { csrfToken } = (await (await request.get("/api/auth/csrf")).json()) as { csrfToken: string };
      const response = await request.post("/api/auth/callback/credentials", {
        form: { email: "member@acme.test", password: "demo-password", csrfToken, callbackUrl: target },
        maxRedirects: 0,
      });
      const location = response.headers()["location"] ?? "";
      expect(location, target).not.toBe("");
      expect(new URL(location, baseURL).origin, `${target} -> ${location}`).toBe(new URL(baseURL).origin);
      await request.dispose();
    }
  });

  test("an entry's permalink redirects within the site whatever its id or organization", async () => {
    for (const path of [
      "/orgs/acme/audit-logs/..%2F..%2F%2Fevil.example",
      "/orgs/%2F%2Fevil.example/audit-logs/x",
      "/orgs/acme/audit-logs/%2e%2e%2f%2fevil.example",
    ]) {
      for (const who of ["signed-out", "admin"] as const) {
        const response = await ctx(who).request.get(path, { maxRedirects: 0 });
        const location = response.headers()["location"];
        if (location) {
          expect(location, `${who} ${path}`).toMatch(/^\/(?![/\\])/);
          expect(new URL(location, baseURL).origin, `${who} ${path}`).toBe(new URL(baseURL).origin);
        }
      }
    }
  });
});

test.describe("server actions", () => {
  const LUCAS = "Lucas Moreau";
  const viewSwitch = (page: Page) => page.getByRole("switch", { name: `View logs for ${LUCAS}` });

  async function lucasCanView(page: Page): Promise<boolean> {
    await page.reload();
    return (await viewSwitch(page).getAttribute("aria-checked")) === "true";
  }

  test("a replayed action is refused from a foreign, null or missing Origin and without a session", async ({
    playwright,
  }) => {
    const page = await open("admin", "/orgs/acme/settings/access");
    await expect(viewSwitch(page)).toHaveAttribute("aria-checked", "false");

    // Capture the real "grant View logs to Lucas" action as the browser sends it, then undo it.
    const actionRequest = page.waitForRequest((r) => r.method() === "POST" && r.headers()["next-action"] !== undefined);
    await viewSwitch(page).click();
    const captured = await actionRequest;
    await expect(viewSwitch(page)).toHaveAttribute("aria-checked", "true");
    await expect(viewSwitch(page)).toBeEnabled();
    await viewSwitch(page).click();
    await expect(viewSwitch(page)).toHaveAttribute("aria-checked", "false");
    await expect(viewSwitch(page)).toBeEnabled();
    expect(await lucasCanView(page)).toBe(false);

    const url = captured.url();
    const body = captured.postData() ?? "";
    // Only what makes it a server action call; origin and cookie are what each replay varies.
    const sent = await captured.allHeaders();
    const headers = Object.fromEntries(
      ["next-action", "next-router-state-tree", "content-type", "accept"].flatMap((name) =>
        sent[name] ? [[name, sent[name]]] : [],
      ),
    );
    const replay = (request: APIRequestContext, extra: Record<string, string>) =>
      request.post(url, { headers: { ...headers, ...extra }, data: body, maxRedirects: 0 });

    for (const origin of ["https://evil.example", "null"]) {
      const response = await replay(ctx("admin").request, { origin });
      expect(response.status(), `Origin: ${origin}`).toBe(403);
      expect(await lucasCanView(page), `Origin: ${origin}`).toBe(false);
    }

    // No Origin at all: Next.js would let it through with a warning; the console refuses it.
    const missing = await replay(ctx("admin").request, {});
    expect(missing.status()).toBe(403);
    expect(await lucasCanView(page)).toBe(false);

    // Same origin but no session cookie: the action answers with the sign-in message and changes nothing.
    const anonymous = await playwright.request.newContext({ baseURL });
    const signedOut = await replay(anonymous, { origin: new URL(baseURL).origin });
    expect(await signedOut.text()).toContain("Your session has ended");
    await anonymous.dispose();
    expect(await lucasCanView(page)).toBe(false);

    // A member of another organization replaying it with their own session: not their organization.
    const foreign = await replay(ctx("other-org").request, { origin: new URL(baseURL).origin });
    expect(await foreign.text()).toContain("Organization not found.");
    expect(await lucasCanView(page)).toBe(false);

    // Control: the same replay from this site with the admin's session does work.
    const genuine = await replay(ctx("admin").request, { origin: new URL(baseURL).origin });
    expect(genuine.ok()).toBe(true);
    expect(await lucasCanView(page)).toBe(true);
    await viewSwitch(page).click();
    await expect(viewSwitch(page)).toHaveAttribute("aria-checked", "false");
    await expect(viewSwitch(page)).toBeEnabled();
    expect(await lucasCanView(page)).toBe(false);
    await page.close();
  });
});
