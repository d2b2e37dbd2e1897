import "server-only";

import { headers } from "next/headers";
import type { RequestContext } from "@/lib/audit/console-entry";
import { clientIp, userAgent } from "@/lib/auth/request-context";

/** Who is asking from where, as the console's server decided it, for the audit entry. */
export async function currentRequest(): Promise<RequestContext> {
  const h = await headers();
  return { ip: clientIp(h), userAgent: userAgent(h) };
}
