import "server-only";

import { and, eq } from "drizzle-orm";
import type { AnyPgColumn, PgTable } from "drizzle-orm/pg-core";
import { revalidatePath } from "next/cache";
import type { Transaction } from "@/db/client";
import { refuse } from "@/lib/actions/action-refusal";
import { firstIssueMessage } from "@/lib/actions/invalid-input";
import type { ConsoleEntry } from "@/lib/audit/console-entry";
import type { OrgAccess } from "@/lib/auth/access";

/*
 * What the rule, channel and stream actions of this page share: the options of an action for
 * audit.manage, the one shape of their audit entries, and the row lock that answers "not found"
 * for a missing row and another organization's alike.
 */

function revalidatePage(org: OrgAccess["org"]): void {
  revalidatePath(`/orgs/${org.slug}/settings/notifications`);
}

/** orgAction's options for a change to this page's settings. */
export const MANAGE = {
  permission: "audit.manage",
  invalid: firstIssueMessage("Invalid input."),
  revalidate: revalidatePage,
} as const;

/** One settings change as an audit entry (category audit), with what it was and what it is. */
export interface SettingsChange<S extends object> {
  service: string;
  targetType: string;
  action: string;
  description: string;
  target: { id: string; name: string };
  before: S | null;
  after: S | null;
  params?: Record<string, unknown>;
}

export function settingsEntry<S extends object>(change: SettingsChange<S>): ConsoleEntry {
  return {
    category: "audit",
    action: change.action,
    description: change.description,
    service: change.service,
    target: { type: change.targetType, id: change.target.id, name: change.target.name },
    // Snapshots are plain JSON objects (a type alias each, so they fit the entry's fields).
    before: change.before as Record<string, unknown> | null,
    after: change.after as Record<string, unknown> | null,
    params: change.params ?? null,
  };
}

/*
 * A receiver's URL often carries a credential in its path or query (chat tools' incoming webhooks
 * do), so the log keeps only its origin.
 */
export function urlForLog(url: string | null): string {
  if (!url) return "";
  try {
    const parsed = new URL(url);
    return parsed.pathname === "/" && parsed.search === "" ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return "…";
  }
}

type OrgRowTable = PgTable & { orgId: AnyPgColumn; id: AnyPgColumn };

/** The organization's row, locked for the change; another organization's id refuses like a missing one. */
export async function lockOrgRow<T extends OrgRowTable>(
  tx: Transaction,
  table: T,
  orgId: string,
  id: string,
  notFound: string,
): Promise<T["$inferSelect"]> {
  const rows = (await tx
    .select()
    .from(table as PgTable)
    .where(and(eq(table.orgId, orgId), eq(table.id, id)))
    .for("update")) as T["$inferSelect"][];
  const row = rows[0];
  if (!row) refuse(notFound);
  return row;
}
