import type { HttpClient } from "./http-client";
import { explorerPath } from "./scenarios";

/*
 * Browsing as a browser does it. After the first page, a click in the console (a filter, a sort,
 * the next page, a search) is a client-side navigation: Next's router asks for the page segment's
 * React Server Components payload (`RSC: 1`, with its state tree), not for a full HTML page, and
 * the layouts above the page are not rendered again. The state tree below is the one Next 16's
 * router sends from the explorer, read off Chromium's requests; a Next release that changes its
 * shape makes the probe below fail loudly rather than measure something else.
 *
 * Next answers the first such request with a 307 that adds `_rsc`, a value derived from these
 * headers (against cache poisoning); the same value then serves every explorer URL.
 */

export interface Navigation {
  path: (explorerUrl: string) => string;
  headers: Record<string, string>;
}

function stateTree(slug: string): string {
  const page = ["__PAGE__", {}, null, "refetch", 0];
  const auditLogs = ["audit-logs", { children: page }, null, null, 4];
  const org = [["org", slug, "d", null], { children: auditLogs }, null, null, 8];
  const orgs = ["orgs", { children: org }, null, null, 8];
  return JSON.stringify(["", { children: orgs }, null, null, 24]);
}

export function isNavigationPayload(contentType: string | string[] | undefined): boolean {
  return String(contentType ?? "").startsWith("text/x-component");
}

export async function clientNavigation(client: HttpClient, slug: string): Promise<Navigation> {
  const headers = {
    RSC: "1",
    "Next-Router-State-Tree": encodeURIComponent(stateTree(slug)),
    "Next-Url": `/orgs/${slug}/audit-logs`,
  };
  const start = explorerPath(slug, {});
  const redirect = await client.request(start, { headers });
  const location = redirect.headers.location;
  const rsc =
    redirect.status === 307 && location ? new URL(String(location), client.base).searchParams.get("_rsc") : null;
  if (!rsc) throw new Error(`client-side navigation: expected a 307 adding _rsc, got ${redirect.status}`);
  const path = (url: string) => `${url}${url.includes("?") ? "&" : "?"}_rsc=${encodeURIComponent(rsc)}`;
  const probe = await client.request(path(start), { headers });
  const body = probe.body?.toString("utf8") ?? "";
  // The explorer's rows travel as the `entries` prop of its client view.
  if (
    probe.status !== 200 ||
    !isNavigationPayload(probe.headers["content-type"]) ||
    !body.includes('"entries":[{"id":')
  ) {
    throw new Error(
      `client-side navigation: the explorer's payload did not come back (${probe.status}, ${String(probe.headers["content-type"])})`,
    );
  }
  return { path, headers };
}
