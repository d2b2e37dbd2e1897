import { env } from "@/lib/env";

/*
 * Server actions are POST endpoints that act with the caller's session cookie, so a page on another
 * site must not be able to trigger one. Next.js (16.4, app-render/action-handler.js) compares the
 * Origin's host with x-forwarded-host/host itself, but answers a mismatch (and `Origin: null`, and
 * an unparseable Origin) with a 500 and an error digest, and lets a request WITHOUT an Origin
 * through with only a warning. The console decides instead, with this one rule, twice: proxy.ts
 * refuses any state-changing request to a page with a plain 403 before Next.js handles it, and
 * every action checks it again itself (lib/security/same-origin.ts), whatever server runs it.
 *
 * The hosts compared with are the one the request was sent to (Host) and the one server.ts
 * decided (X-Forwarded-Host, overwritten from the connection or the trusted proxies), plus
 * APP_URL's. A browser cannot set either header on a cross-site request, so accepting both holds.
 */

function firstValue(value: string | null): string | null {
  const first = value?.split(",")[0]?.trim();
  return first ? first.toLowerCase() : null;
}

/** The hosts this request may legitimately come from: the one it was sent to, and APP_URL's. */
function expectedHosts(requestHeaders: Headers): Set<string> {
  const hosts = new Set<string>();
  const forwarded = firstValue(requestHeaders.get("x-forwarded-host"));
  const host = firstValue(requestHeaders.get("host"));
  if (forwarded) hosts.add(forwarded);
  if (host) hosts.add(host);
  if (env.APP_URL) hosts.add(new URL(env.APP_URL).host.toLowerCase());
  return hosts;
}

/** Why the request is not same-origin, or null when it is. Pure, for tests. */
export function crossOriginReason(requestHeaders: Headers): string | null {
  const origin = requestHeaders.get("origin");
  if (origin === null || origin.trim() === "") return "no Origin header";
  if (origin.trim() === "null") return "Origin is null";
  let originHost: string;
  try {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:") return `Origin ${origin} is not http(s)`;
    originHost = url.host.toLowerCase();
  } catch {
    return "Origin is not a URL";
  }
  const hosts = expectedHosts(requestHeaders);
  if (hosts.size === 0) return "no Host header to compare with";
  return hosts.has(originHost) ? null : `Origin ${origin} is not this site`;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * For proxy.ts: the refusal of a request that could change something (a server action is a POST
 * to a page, with a Next-Action header or, without JavaScript, a multipart form) and does not come
 * from a page of this site; null for everything else.
 */
export function crossOriginRefusal(method: string, requestHeaders: Headers): Response | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  const reason = crossOriginReason(requestHeaders);
  if (reason === null) return null;
  return new Response(
    `Refused: this request did not come from a page of this site (${reason.slice(0, 200)}). Nothing was changed.\n`,
    { status: 403, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } },
  );
}
