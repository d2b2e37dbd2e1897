import { NextResponse, type NextRequest } from "next/server";
import { REQUESTED_URL_HEADER } from "@/lib/auth/requested-url";
import { env } from "@/lib/env";
import { contentSecurityPolicy, createNonce } from "@/lib/http/content-security-policy";
import { requestProtocol, servedOverHttps } from "@/lib/http/request-origin";
import { crossOriginRefusal } from "@/lib/http/same-origin-request";

// The single sign-on provider's sign-in is reached through a form post that redirects there.
const formTargets = env.AUTH_OIDC_ISSUER ? [new URL(env.AUTH_OIDC_ISSUER).origin] : [];

/*
 * Not a gate for access: every page, route handler and server action checks the session and the
 * permission itself. The proxy does three things for pages:
 * - it refuses, with a plain 403, a request that could change something (a server action) and
 *   does not come from a page of this site: a foreign, null, malformed or missing Origin. Next.js
 *   would answer some of these with a 500 and let a missing Origin through; every action checks
 *   the same rule again itself (lib/actions);
 * - it gives each one a Content-Security-Policy with a fresh nonce, on the response and on the
 *   request, where Next.js reads the nonce for the scripts it renders (the root layout reads it
 *   for the theme script);
 * - it hands the organization's layout the URL that was asked for, so that a signed-out visitor
 *   gets a plain 307 to sign in before anything streams (the explorer renders inside a loading
 *   boundary, where a redirect could only reach the browser as a 200 and a client-side refresh).
 * Both request headers are overwritten, whatever a client sent.
 */
export function proxy(request: NextRequest): NextResponse | Response {
  const refusal = crossOriginRefusal(request.method, request.headers);
  if (refusal) return refusal;
  const url = request.nextUrl.clone();
  // The router's cache-busting parameter is not part of the page's address.
  url.searchParams.delete("_rsc");
  const nonce = createNonce();
  const policy = contentSecurityPolicy({
    nonce,
    https: servedOverHttps(requestProtocol(request.headers), env.APP_URL),
    development: process.env.NODE_ENV === "development",
    formTargets,
  });
  const headers = new Headers(request.headers);
  headers.set(REQUESTED_URL_HEADER, url.pathname + url.search);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

// Route handlers under /api answer JSON and files (server.ts gives them a policy of their own), and
// the ingestion API's large bodies are not copied for a proxy; static files need no policy.
export const config = { matcher: ["/((?!api/|_next/static/|_next/image|favicon.ico).*)"] };
