/*
 * Headers every response carries, set by server.ts before Next.js answers (pages, route
 * handlers, static files and the 404 alike). Pages get their Content-Security-Policy, which needs
 * a fresh nonce each time, from proxy.ts (lib/http/content-security-policy.ts); the route handlers
 * under /api, which proxy.ts leaves alone, answer JSON, files and plain text and get one that
 * allows nothing at all.
 */
export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

export function securityHeaders(options: { https: boolean; path: string }): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    // For browsers without CSP frame-ancestors; the policies say the same.
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    // Only over HTTPS: browsers ignore it on plain http, and promising HTTPS for a host that
    // serves none would lock people out of it.
    ...(options.https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
    ...(options.path.startsWith("/api/") ? { "Content-Security-Policy": API_CONTENT_SECURITY_POLICY } : {}),
  };
}
