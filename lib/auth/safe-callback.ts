/**
 * The path to send someone to after sign-in. Only paths of this site are followed: absolute URLs
 * to other origins, protocol-relative `//host` and backslash tricks all fall back to "/". The check
 * is made on the path as a browser resolves it, since resolving collapses dot segments:
 * `/..//evil.example` and `/%2e%2e//evil.example` become `//evil.example`, which a browser reads as
 * another host.
 */
export function safeCallbackPath(target: string | null | undefined, baseUrl = "http://localhost"): string {
  if (!target) return "/";
  try {
    const base = new URL(baseUrl);
    const url = new URL(target, base);
    if (url.origin !== base.origin) return "/";
    if (/^[/\\]{2}/.test(target.trim()) || target.includes("\\")) return "/";
    if (/^\/[/\\]/.test(url.pathname)) return "/";
    const path = `${url.pathname}${url.search}${url.hash}`;
    return path.startsWith("/") ? (explorerPathOfPermalink(url) ?? path) : "/";
  } catch {
    return "/";
  }
}

// An entry id as the explorer's `entry` parameter accepts it; `/audit-logs/insights` is a page.
const PERMALINK = /^\/orgs\/([^/]+)\/audit-logs\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/*
 * A permalink (`/orgs/acme/audit-logs/ID`, what notifications carry) is a route handler that
 * redirects to the explorer. After sign-in, Next.js follows a server action's redirect with a
 * client-side fetch, which follows that second redirect out of sight: the page showed the entry
 * but the address bar kept the permalink. Landing on the explorer URL directly gives the person
 * the real address (and one request fewer).
 */
function explorerPathOfPermalink(url: URL): string | null {
  const match = PERMALINK.exec(url.pathname);
  if (!match || url.search !== "") return null;
  return `/orgs/${match[1]}/audit-logs?entry=${match[2]!.toLowerCase()}${url.hash}`;
}
