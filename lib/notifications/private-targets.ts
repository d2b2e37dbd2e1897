import "server-only";

import { env } from "@/lib/env";

/**
 * Whether webhooks may reach loopback, private and link-local addresses. WEBHOOK_ALLOW_PRIVATE
 * decides when set; unset, the embedded database's local demo allows them (its receivers run on
 * the same machine) and a deployment on a PostgreSQL server refuses them.
 */
export function webhooksMayReachPrivate(): boolean {
  return env.WEBHOOK_ALLOW_PRIVATE ?? env.DATABASE_URL === undefined;
}
