/*
 * The URL a request asked for, passed from the proxy to the organization's layout: layouts do not
 * see the search params, yet a signed-out visitor must come back to the whole URL (`?entry=`
 * included) after signing in. The proxy sets the header on every request it passes, replacing
 * whatever a client sent.
 */
export const REQUESTED_URL_HEADER = "x-audit-console-requested-url";

/** The requested path when it belongs to this organization's pages; anything else is ignored. */
export function requestedOrgPath(value: string | null, orgSlug: string): string | null {
  if (!value) return null;
  const root = `/orgs/${encodeURIComponent(orgSlug)}`;
  const inOrg = value === root || value.startsWith(`${root}/`) || value.startsWith(`${root}?`);
  return inOrg && !value.includes("\\") && !value.startsWith("//") ? value : null;
}
