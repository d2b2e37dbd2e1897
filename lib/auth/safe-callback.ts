/**
 * The path to send someone to after sign-in. Only paths of this site are followed: absolute URLs
 * to other origins, protocol-relative `//host` and backslash tricks all fall back to "/".
 */
export function safeCallbackPath(target: string | null | undefined, baseUrl = "http://localhost"): string {
  if (!target) return "/";
  try {
    const base = new URL(baseUrl);
    const url = new URL(target, base);
    if (url.origin !== base.origin) return "/";
    if (/^[/\\]{2}/.test(target.trim()) || target.includes("\\")) return "/";
    return `${url.pathname}${url.search}${url.hash}` || "/";
  } catch {
    return "/";
  }
}
