import "server-only";

import { headers } from "next/headers";
import { env } from "@/lib/env";

/*
 * Server actions are POST endpoints that act with the caller's session cookie, so a page on another
 * site must not be able to trigger one. Next.js (16.4, app-render/action-handler.js) already aborts
 * an action whose Origin host differs from x-forwarded-host/host, which also covers `Origin: null`
 * ("null" never equals a host). It lets a request WITHOUT an Origin header through with only a
 * warning, and the check lives in framework code we do not control. This is our own wall, run
 * inside every action: the Origin must be present, parseable, and name this site.
 */

export class CrossOriginActionError extends Error {
  constructor(reason: string) {
    super(`Refused a server action from another origin: ${reason}`);
    this.name = "CrossOriginActionError";
  }
}

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

/**
 * Call first in every server action: throws unless the request came from a page of this site.
 * Throwing (rather than returning an error) means a forgotten `if` cannot let the action run; a
 * genuine user never meets it, so the generic error the client then shows is acceptable.
 */
export async function assertSameOrigin(): Promise<void> {
  const reason = crossOriginReason(await headers());
  if (reason) throw new CrossOriginActionError(reason);
}
