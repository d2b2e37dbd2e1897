import type { NextRequest } from "next/server";
import { handlers } from "@/lib/auth/auth";
import { requestOrigin } from "@/lib/http/request-origin";

/*
 * Next.js gives route handlers a URL on its own listening address (localhost:PORT), and Auth.js
 * builds its redirects, its callback URL for single sign-on and the Secure flag of its cookies
 * from that URL. It gets the origin the browser actually asked for instead, in a plain Request:
 * a NextRequest would report a loopback host such as 127.0.0.1 as "localhost", another origin
 * with other cookies. Auth.js reads only the URL, method, headers and body of what it is given.
 */
async function atRequestedOrigin(request: NextRequest): Promise<NextRequest> {
  const origin = requestOrigin(request.headers);
  if (!origin) return request;
  const url = new URL(`${request.nextUrl.pathname}${request.nextUrl.search}`, origin);
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  return new Request(url, { method: request.method, headers: request.headers, body }) as NextRequest;
}

export async function GET(request: NextRequest) {
  return handlers.GET(await atRequestedOrigin(request));
}

export async function POST(request: NextRequest) {
  return handlers.POST(await atRequestedOrigin(request));
}
