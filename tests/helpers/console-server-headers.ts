import { CLIENT_ADDRESS_HEADER } from "@/lib/http/client-address";
import { markServedByConsoleServer } from "@/lib/http/console-server-mark";

/**
 * The request headers of a same-site request as server.ts hands it to the application: the
 * client address it decided, and the host and protocol it checked. Marks the process as served by
 * server.ts, so that the application trusts them.
 */
export function consoleServerHeaders(
  host: string,
  clientAddress: string,
): Record<string, string> & { origin: string; host: string } {
  markServedByConsoleServer();
  return {
    origin: `http://${host}`,
    host,
    "user-agent": "vitest",
    "x-forwarded-host": host,
    "x-forwarded-proto": "http",
    [CLIENT_ADDRESS_HEADER]: clientAddress,
  };
}
