import "server-only";

import { headers } from "next/headers";
import { crossOriginReason } from "@/lib/http/same-origin-request";

export class CrossOriginActionError extends Error {
  constructor(reason: string) {
    super(`Refused a server action from another origin: ${reason}`);
    this.name = "CrossOriginActionError";
  }
}

/**
 * Called first by every server action (through lib/actions): throws unless the request came from
 * a page of this site (the rule: lib/http/same-origin-request.ts). proxy.ts has already refused
 * such a request with a 403 under the console's own server; this is the wall that holds whatever
 * runs the action. Throwing (rather than returning an error) means no action code runs after it.
 */
export async function assertSameOrigin(): Promise<void> {
  const reason = crossOriginReason(await headers());
  if (reason) throw new CrossOriginActionError(reason);
}
