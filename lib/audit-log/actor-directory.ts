import "server-only";

import { sql } from "drizzle-orm";
import type { Transaction } from "@/db/client";
import { consumeArrivals, type ArrivalKeyConsumer, type ArrivedKey } from "@/lib/worker/arrivals";
import type { Job } from "@/lib/worker/runner";

/*
 * The actor directory (db/schema/audit-log-actors.ts): the background consumer "actors" reads
 * each organization's new entries in order of arrival (lib/worker/arrivals.ts) and upserts the
 * batch's actors in one statement, with the cursor in the same transaction, so every entry is
 * counted once. Ingestion does not wait for it: an actor becomes searchable within the job's
 * interval. It starts at the beginning of each log, which is how the entries stored before the
 * directory existed get in (the migration does not scan the log).
 *
 * Entries without an actor id and without an email (`[nobody]`, or a name alone) are left out:
 * the user filter could not select them.
 */

export const ACTOR_DIRECTORY_CONSUMER = "actors";

/** Entries per batch: one sort of the batch's actors, one upsert. */
export const ACTOR_BATCH = 2000;

const IDLE_MS = 2000;

async function upsertActors(tx: Transaction, orgId: string, keys: ArrivedKey[]): Promise<void> {
  const first = keys[0]!;
  const last = keys[keys.length - 1]!;
  // The batch's range in order of arrival, read through the arrival index (org_id, received_at,
  // id); below the committed horizon nothing joins it. DISTINCT ON keeps each actor's newest
  // entry, as an upsert may touch a row once per statement.
  await tx.execute(sql`
    insert into audit_log_actors (org_id, actor_key, actor_id, actor_name, actor_email, last_seen_at)
    select distinct on (k) org_id, k, actor_id, actor_name, email, occurred_at
    from (
      select org_id, coalesce(lower(actor_email), actor_id) as k, actor_id, actor_name,
        lower(actor_email) as email, occurred_at, id
      from audit_logs
      where org_id = ${orgId}
        and (received_at, id) >= (${first.receivedAt}::timestamptz, ${first.id}::uuid)
        and (received_at, id) <= (${last.receivedAt}::timestamptz, ${last.id}::uuid)
        and (actor_email is not null or actor_id is not null)
    ) batch
    order by k, occurred_at desc, id desc
    on conflict (org_id, actor_key) do update set
      actor_id = coalesce(excluded.actor_id, audit_log_actors.actor_id),
      actor_name = coalesce(excluded.actor_name, audit_log_actors.actor_name),
      actor_email = coalesce(excluded.actor_email, audit_log_actors.actor_email),
      last_seen_at = excluded.last_seen_at
    -- Entries arrive out of the order they occurred in: an older one changes nothing.
    where excluded.last_seen_at >= audit_log_actors.last_seen_at`);
}

export const actorDirectoryConsumer: ArrivalKeyConsumer = {
  name: ACTOR_DIRECTORY_CONSUMER,
  startAt: "beginning",
  reads: "keys",
  handle: upsertActors,
};

/** One pass over every organization (its backlog, a bounded number of batches): the number of entries read. */
export function updateActorDirectory(options: { batchSize?: number; marginMs?: number } = {}): Promise<number> {
  return consumeArrivals(actorDirectoryConsumer, { batchSize: ACTOR_BATCH, ...options });
}

/** The background job; it comes back at once while there is a backlog (a new directory, say). */
export function actorDirectoryJob(): Job {
  return { name: "actor directory", idleMs: IDLE_MS, run: () => updateActorDirectory() };
}
