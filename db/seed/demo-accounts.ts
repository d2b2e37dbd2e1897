import "server-only";

import { createHash } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { hashPassword } from "@/lib/auth/password";
import { ROLE_DEFAULT_GRANTS } from "@/lib/auth/permissions";
import type { Database } from "../client";
import { builtInViewsOf } from "@/lib/saved-views/built-in";
import { memberships, organizations, permissionGrants, savedViews, users } from "../schema";
import type { MemberRole } from "../schema";

export const DEMO_PASSWORD = "demo-password";

export type DemoOrgSlug = "acme" | "globex";

export interface DemoOrganization {
  slug: DemoOrgSlug;
  name: string;
  /** Email domain of the organization's people, also used for its synthetic colleagues. */
  domain: string;
}

export interface DemoAccount {
  email: string;
  name: string;
  org: DemoOrgSlug;
  role: MemberRole;
  /** False for colleagues who appear in the console but cannot sign in. */
  canSignIn: boolean;
}

export const DEMO_ORGANIZATIONS: readonly DemoOrganization[] = [
  { slug: "acme", name: "Acme", domain: "acme.test" },
  { slug: "globex", name: "Globex", domain: "globex.test" },
];

// The contract's four sign-in accounts first, then Acme colleagues without a password so the
// access page has people to grant to.
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: "admin@acme.test", name: "Ada Admin", org: "acme", role: "admin", canSignIn: true },
  { email: "manager@acme.test", name: "Max Manager", org: "acme", role: "manager", canSignIn: true },
  { email: "member@acme.test", name: "Mia Member", org: "acme", role: "member", canSignIn: true },
  { email: "auditor@globex.test", name: "Avery Auditor", org: "globex", role: "manager", canSignIn: true },
  { email: "kenji.sato@acme.test", name: "Kenji Sato", org: "acme", role: "manager", canSignIn: false },
  { email: "priya.natarajan@acme.test", name: "Priya Natarajan", org: "acme", role: "member", canSignIn: false },
  { email: "lucas.moreau@acme.test", name: "Lucas Moreau", org: "acme", role: "member", canSignIn: false },
  { email: "hana.kobayashi@acme.test", name: "Hana Kobayashi", org: "acme", role: "member", canSignIn: false },
];

// Name-based (version 5) UUIDs: the same demo row gets the same id in every database, so seeded
// audit rows, links in documentation and test fixtures agree across machines.
const DEMO_NAMESPACE = "6f1c2a7e-3b54-4d0e-9a8f-5c2b7d1e4f60";

export function demoUuid(name: string): string {
  const hash = createHash("sha1")
    .update(Buffer.from(DEMO_NAMESPACE.replace(/-/g, ""), "hex"))
    .update(name)
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface SeededDemoAccounts {
  orgs: { acme: string; globex: string };
  /** User id by email, for every demo account. */
  users: Record<string, string>;
}

/**
 * Creates the demo organizations, accounts, memberships and role default grants. Idempotent:
 * existing rows are left as they are (a changed password or role survives a rerun), and the ids
 * returned are the ones in the database.
 */
export async function seedDemoAccounts(db: Database): Promise<SeededDemoAccounts> {
  // scrypt is slow on purpose: hash once and share the hash; each row still verifies on its own.
  const passwordHash = await hashPassword(DEMO_PASSWORD);

  return db.transaction(async (tx) => {
    const created = await tx
      .insert(organizations)
      .values(DEMO_ORGANIZATIONS.map((o) => ({ id: demoUuid(`org:${o.slug}`), slug: o.slug, name: o.name })))
      .onConflictDoNothing()
      .returning({ id: organizations.id });
    // Only for organizations created now: a view an admin changed or removed stays so on a rerun.
    if (created.length > 0) await tx.insert(savedViews).values(builtInViewsOf(created.map((o) => o.id)));
    await tx
      .insert(users)
      .values(
        DEMO_ACCOUNTS.map((a) => ({
          id: demoUuid(`user:${a.email}`),
          email: a.email,
          name: a.name,
          passwordHash: a.canSignIn ? passwordHash : null,
        })),
      )
      .onConflictDoNothing();

    const orgRows = await tx
      .select({ id: organizations.id, slug: organizations.slug })
      .from(organizations)
      .where(
        inArray(
          organizations.slug,
          DEMO_ORGANIZATIONS.map((o) => o.slug),
        ),
      );
    const userRows = await tx
      .select({ id: users.id, email: users.email })
      .from(users)
      .where(
        inArray(
          users.email,
          DEMO_ACCOUNTS.map((a) => a.email),
        ),
      );
    const orgId = new Map(orgRows.map((r) => [r.slug, r.id]));
    const userId = new Map(userRows.map((r) => [r.email, r.id]));
    const idOf = <K>(map: Map<K, string>, key: K): string => {
      const id = map.get(key);
      if (!id) throw new Error(`demo seed: ${String(key)} was not created`);
      return id;
    };

    const adminOf = new Map<DemoOrgSlug, string>();
    for (const a of DEMO_ACCOUNTS) if (a.role === "admin") adminOf.set(a.org, idOf(userId, a.email));

    await tx
      .insert(memberships)
      .values(DEMO_ACCOUNTS.map((a) => ({ orgId: idOf(orgId, a.org), userId: idOf(userId, a.email), role: a.role })))
      .onConflictDoNothing();

    const grants = DEMO_ACCOUNTS.flatMap((a) =>
      ROLE_DEFAULT_GRANTS[a.role].map((permission) => ({
        orgId: idOf(orgId, a.org),
        userId: idOf(userId, a.email),
        permission,
        grantedBy: adminOf.get(a.org) ?? null,
      })),
    );
    if (grants.length > 0) await tx.insert(permissionGrants).values(grants).onConflictDoNothing();

    return {
      orgs: { acme: idOf(orgId, "acme"), globex: idOf(orgId, "globex") },
      users: Object.fromEntries(DEMO_ACCOUNTS.map((a) => [a.email, idOf(userId, a.email)])),
    };
  });
}

export interface OrgPerson {
  id: string;
  name: string;
  email: string;
  role: MemberRole;
}

/** The members of an organization as the audit seed needs them (actors with their roles). */
export async function listOrgPeople(db: Database, orgId: string): Promise<OrgPerson[]> {
  const rows = await db
    .select({ id: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(users.email);
  return rows;
}
