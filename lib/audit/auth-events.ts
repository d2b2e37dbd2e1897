import "server-only";

import { eq, sql } from "drizzle-orm";
import { getDb } from "@/db/client";
import { memberships, users } from "@/db/schema";
import type { AuditEventInput } from "./event-schema";
import { recordAuditEvent } from "./record-audit-event";

interface AuthEventContext {
  ip: string | null;
  userAgent: string | null;
}

interface KnownUser {
  id: string;
  name: string;
  email: string;
}

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

async function recordForOrgs(orgIds: string[], event: AuditEventInput): Promise<void> {
  for (const orgId of orgIds) await recordAuditEvent(orgId, event);
}

type AuthEventFields = Omit<AuditEventInput, "occurredAt" | "category" | "service" | "ip" | "userAgent">;

/** What every sign-in, failure and sign-out entry shares: now, the auth category, the request. */
function authEvent(context: AuthEventContext, fields: AuthEventFields): AuditEventInput {
  return {
    occurredAt: new Date().toISOString(),
    category: "auth",
    service: "Sign-in",
    ip: context.ip,
    userAgent: context.userAgent,
    ...fields,
  };
}

const actorOf = (user: KnownUser) => ({ id: user.id, name: user.name, email: user.email });

export async function recordSignIn(user: KnownUser, context: AuthEventContext): Promise<void> {
  await recordForOrgs(
    await orgsOfUser(user.id),
    authEvent(context, {
      actor: actorOf(user),
      action: "login",
      description: `${user.email} signed in`,
      target: { type: "user", id: user.id, name: user.email },
      result: "done",
      level: "information",
      params: { method: "password" },
    }),
  );
}

export async function recordSignInFailure(
  email: string,
  user: KnownUser | null,
  reason: "invalid_credentials" | "throttled",
  context: AuthEventContext,
): Promise<void> {
  const orgIds = user ? await orgsOfUser(user.id) : await orgsOfDomain(email);
  await recordForOrgs(
    orgIds,
    authEvent(context, {
      actor: user ? actorOf(user) : null,
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
    }),
  );
}

export async function recordSignOut(user: KnownUser, context: AuthEventContext): Promise<void> {
  await recordForOrgs(
    await orgsOfUser(user.id),
    authEvent(context, {
      actor: actorOf(user),
      action: "logout",
      description: `${user.email} signed out`,
      target: { type: "user", id: user.id, name: user.email },
      result: "done",
      level: "information",
    }),
  );
}

/** A sign-in refused because the account or address is locked, before any password is checked. */
export async function recordThrottledSignIn(email: string, context: AuthEventContext): Promise<void> {
  const [user] = await getDb()
    .select({ id: users.id, name: users.name, email: users.email })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()))
    .limit(1);
  await recordSignInFailure(email.trim().toLowerCase(), user ?? null, "throttled", context);
}
