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
    return path.startsWith("/") ? path : "/";
  } catch {
    return "/";
  }
}
