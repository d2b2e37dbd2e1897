import { NextResponse, type NextRequest } from "next/server";
import { REQUESTED_URL_HEADER } from "@/lib/auth/requested-url";

/*
 * Not a gate: every page, route handler and server action checks the session and the permission
 * itself. The proxy only hands the organization's layout the URL that was asked for, so that a
 * signed-out visitor gets a plain 307 to sign in before anything streams (the explorer renders
 * inside a loading boundary, where a redirect could only reach the browser as a 200 and a
 * client-side refresh).
 */
export function proxy(request: NextRequest): NextResponse {
  const url = request.nextUrl.clone();
  // The router's cache-busting parameter is not part of the page's address.
  url.searchParams.delete("_rsc");
  const headers = new Headers(request.headers);
  headers.set(REQUESTED_URL_HEADER, url.pathname + url.search);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/orgs/:path*"] };
