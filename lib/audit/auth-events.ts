import "server-only";

import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { memberships, users } from "@/db/schema";
import type { ConsoleEntry, EntryActor, RequestContext } from "./console-entry";
import { recordConsoleEntry } from "./record-audit-event";

async function orgsOfUser(userId: string): Promise<string[]> {
  const rows = await getDb()
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .where(eq(memberships.userId, userId));
  return rows.map((r) => r.orgId);
}

/*
 * A failed sign-in for an address nobody has belongs to no organization. It is written to the
 * organizations whose members share the address's domain: those are the ones being probed.
 */
async function orgsOfDomain(email: string): Promise<string[]> {
  const domain = email.split("@")[1];
  if (!domain) return [];
  const rows = await getDb()
    .selectDistinct({ orgId: memberships.orgId })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(sql`${users.email} like ${"%@" + domain.replace(/[\\%_]/g, "\\$&")}`);
  return rows.map((r) => r.orgId);
}

/** Sign-ins, failures and sign-outs: the auth category, written to each organization concerned. */
async function recordForOrgs(
  orgIds: string[],
  actor: EntryActor | null,
  context: RequestContext,
  fields: Omit<ConsoleEntry, "category" | "service">,
): Promise<void> {
  const entry: ConsoleEntry = { category: "auth", service: "Sign-in", ...fields };
  for (const orgId of orgIds) await recordConsoleEntry(getDb(), orgId, actor, context, entry);
}

export async function recordSignIn(user: EntryActor, context: RequestContext): Promise<void> {
  await recordForOrgs(await orgsOfUser(user.id), user, context, {
    action: "login",
    description: `${user.email} signed in`,
    target: { type: "user", id: user.id, name: user.email },
    result: "done",
    level: "information",
    params: { method: "password" },
  });
}

export async function recordSignInFailure(
  email: string,
  user: EntryActor | null,
  reason: "invalid_credentials" | "throttled",
  context: RequestContext,
): Promise<void> {
  const orgIds = user ? await orgsOfUser(user.id) : await orgsOfDomain(email);
  await recordForOrgs(orgIds, user, context, {
    action: "login",
    description:
      reason === "throttled" ? `sign-in refused for ${email}: too many failures` : `failed sign-in for ${email}`,
    target: { type: "user", id: user?.id ?? null, name: email },
    result: "failed",
    level: "notice",
    params: { email, method: "password" },
    error: {
      code: reason,
      message: reason === "throttled" ? "Too many failed sign-ins" : "Email or password is incorrect",
    },
  });
}

export async function recordSignOut(user: EntryActor, context: RequestContext): Promise<void> {
  await recordForOrgs(await orgsOfUser(user.id), user, context, {
    action: "logout",
    description: `${user.email} signed out`,
    target: { type: "user", id: user.id, name: user.email },
    result: "done",
    level: "information",
  });
}

/** A sign-in refused because the account or address is locked, before any password is checked. */
export async function recordThrottledSignIn(email: string, context: RequestContext): Promise<void> {
  const [user] = await getDb()
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()))
    .limit(1);
  await recordSignInFailure(email.trim().toLowerCase(), user ?? null, "throttled", context);
}
