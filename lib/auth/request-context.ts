import "server-only";

import { clientAddressFrom } from "@/lib/http/client-address";

/**
 * The client's address as the console's server decided it (lib/http/client-address.ts: the
 * connection itself, or the address the trusted proxies saw), never a header the client wrote.
 * Null when the process is not served by server.ts, e.g. under `next dev`.
 */
export function clientIp(headers: Headers): string | null {
  return clientAddressFrom(headers);
}

export function userAgent(headers: Headers): string | null {
  return headers.get("user-agent")?.slice(0, 1000) ?? null;
}
