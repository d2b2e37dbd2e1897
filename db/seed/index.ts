import "server-only";

import { eq } from "drizzle-orm";
import type { Database, DatabaseHandle } from "../client";
import { organizations } from "../schema";
import { seedAuditRows, type SeedAuditRowsResult } from "./audit-rows";
import { DEMO_ORGANIZATIONS, listOrgPeople, seedDemoAccounts, type SeededDemoAccounts } from "./demo-accounts";

export { DEMO_ACCOUNTS, DEMO_ORGANIZATIONS, DEMO_PASSWORD, demoUuid, seedDemoAccounts } from "./demo-accounts";
export { seedAuditRows } from "./audit-rows";
export type { SeedAuditRowsOptions, SeedAuditRowsResult, SeedOrg, SeedPerson } from "./audit-rows";

export interface SeedDatabaseOptions {
  rows?: number;
  seed?: number;
  now?: Date;
  days?: number;
  /** Sessions inserting at once on a server (default 2). */
  parallel?: number;
  onProgress?: (inserted: number, total: number) => void;
}

export interface SeedDatabaseResult extends SeededDemoAccounts {
  audit: SeedAuditRowsResult;
}

// Acme is the organization the demo is shown with; Globex proves that organizations are separated.
const WEIGHTS: Record<string, number> = { acme: 0.8, globex: 0.2 };

/** Demo accounts, then audit rows for Acme and Globex. Run on a migrated database. */
export async function seedDatabase(
  handle: DatabaseHandle,
  options: SeedDatabaseOptions = {},
): Promise<SeedDatabaseResult> {
  const { rows = 20_000, seed = 42, now = new Date(), days, parallel, onProgress } = options;
  const accounts = await seedDemoAccounts(handle.db);
  const orgs = await Promise.all(
    DEMO_ORGANIZATIONS.map(async (o) => {
      const id = accounts.orgs[o.slug];
      return {
        id,
        name: o.name,
        domain: o.domain,
        weight: WEIGHTS[o.slug] ?? 0,
        people: await listOrgPeople(handle.db, id),
      };
    }),
  );
  const audit = await seedAuditRows(handle, { orgs, rows, seed, now, days, parallel, onProgress });
  return { ...accounts, audit };
}

/** True once the demo seed has run (the demo organization exists). */
export async function isSeeded(db: Database): Promise<boolean> {
  const rows = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, "acme"))
    .limit(1);
  return rows.length > 0;
}
