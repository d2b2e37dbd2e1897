import { env } from "@/lib/env";
import { requestOrigin } from "@/lib/http/request-origin";

/**
 * The console's public origin for links in API answers and exports: APP_URL when set, else the
 * origin the request was sent to (its Host, or what the trusted proxies forwarded), never a
 * guess such as localhost. Null only for a request without a well-formed host, which server.ts
 * refuses before it gets here.
 */
export function appOrigin(request: Request): string | null {
  return env.APP_URL ?? requestOrigin(request.headers);
}

export function entryPermalink(origin: string | null, orgSlug: string, entryId: string): string {
  return `${origin ?? ""}/orgs/${encodeURIComponent(orgSlug)}/audit-logs/${encodeURIComponent(entryId)}`;
}
