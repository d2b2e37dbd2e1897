import "server-only";

import { sql } from "drizzle-orm";
import { setDatabaseHandle, type DatabaseHandle } from "@/db/client";
import { updateActorDirectory } from "@/lib/audit-log/actor-directory";
import { FOLD_BATCH, foldHourlyCounts } from "@/lib/audit-log/hourly-counts";
import { sealNewEntries } from "@/lib/integrity/seal";
import { getSigningKey } from "@/lib/integrity/signing-key";

/*
 * A data set as a console in service holds it: every stored entry sealed, the hourly roll-up
 * folded and its actors in the actor directory (the user filter's search). The seed writes millions of entries at once, which no console ever receives; left to the
 * console under test, its background jobs would seal and fold that backlog during the measurements
 * (on 2 cores: the 10M runs of 2026-12-04 sealed 4.04M entries while they measured). The work is
 * done here, once per data set (a reused one keeps its seals and directory), and its figures are
 * reported: they are the sealing and directory throughputs on a backlog.
 *
 * The key is the console's own (.data/integrity-key.pem under this folder, or
 * INTEGRITY_SIGNING_KEY), so the console under test verifies what was sealed here.
 */

/** The tables settling writes over and over (seals, roll-up, directory and the consumers' cursors). */
const SETTLED_TABLES = ["integrity_blocks", "audit_log_hourly", "audit_log_actors", "consumer_cursors"] as const;

export interface Settled {
  sealed: number;
  sealSeconds: number;
  foldedHours: number;
  foldSeconds: number;
  /** Entries the actor directory's consumer read (every entry once). */
  actorEntries: number;
  actorSeconds: number;
}

export async function settleDataset(
  handle: DatabaseHandle & { kind: "postgres" },
  log: (line: string) => void,
): Promise<Settled> {
  // sealNewEntries reads through the process-wide handle, like the console's worker.
  setDatabaseHandle(handle);
  getSigningKey();
  const sealStarted = performance.now();
  let sealed = 0;
  let lastReport = sealStarted;
  for (;;) {
    const run = await sealNewEntries({ marginMs: 0 });
    if (run.entries === 0) break;
    sealed += run.entries;
    const now = performance.now();
    if (now - lastReport >= 30_000) {
      lastReport = now;
      log(
        `  sealed ${sealed.toLocaleString("en-US")} entries (${Math.round(sealed / ((now - sealStarted) / 1000))}/s)`,
      );
    }
  }
  const sealSeconds = (performance.now() - sealStarted) / 1000;

  const foldStarted = performance.now();
  let foldedHours = 0;
  for (;;) {
    const touched = await foldHourlyCounts(handle.db);
    foldedHours += touched;
    if (touched < FOLD_BATCH) break;
  }
  const foldSeconds = (performance.now() - foldStarted) / 1000;

  // The consumer "actors" as the console's job runs it, in larger batches: one pass reads a batch
  // of every organization.
  const actorsStarted = performance.now();
  let actorEntries = 0;
  lastReport = actorsStarted;
  for (;;) {
    const read = await updateActorDirectory({ marginMs: 0, batchSize: 20_000 });
    if (read === 0) break;
    actorEntries += read;
    const now = performance.now();
    if (now - lastReport >= 30_000) {
      lastReport = now;
      log(`  actor directory: read ${actorEntries.toLocaleString("en-US")} entries`);
    }
  }
  const actorSeconds = (performance.now() - actorsStarted) / 1000;

  // Settling rewrote the small tables many times over in a minute (at 1M entries the actor
  // directory held 31,445 dead row versions beside 2,566 live ones). A console in service gets
  // there over months, with autovacuum keeping pace; left as is, the searches would read a bloated
  // directory and autovacuum would start in the middle of the measurements.
  const vacuumStarted = performance.now();
  for (const table of SETTLED_TABLES) await handle.db.execute(sql.raw(`VACUUM (ANALYZE) ${table}`));
  log(`  VACUUM (ANALYZE) ${SETTLED_TABLES.join(", ")}: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
  return { sealed, sealSeconds, foldedHours, foldSeconds, actorEntries, actorSeconds };
}
