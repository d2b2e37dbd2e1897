"use server";

import { and, eq } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import type { Transaction } from "@/db/client";
import { isUniqueViolation } from "@/db/connection-errors";
import { savedViews } from "@/db/schema";
import { refuse } from "@/lib/actions/action-refusal";
import { orgAction, type OrgActionContext } from "@/lib/actions/org-action";
import { parseWholeSearch } from "@/lib/audit-log/selection";
import { readerTimeZoneIn } from "@/lib/preferences/reader-time-zone";
import {
  MAX_VIEW_NAME_LENGTH,
  VIEW_VISIBILITIES,
  visibilityOf,
  type SavedView,
  type ViewVisibility,
} from "@/lib/saved-views/types";
import { safeText } from "@/lib/validation/safe-text";

/*
 * Saved views: a member saves the current search under a name, for themselves or shared with the
 * organization; those holding audit.manage also keep the organization views (the buttons above
 * the log). Whatever everyone sees is recorded in the organization's log; a private view is the
 * person's own business and is not.
 */

const SERVICE = "Audit log";
const VIEW_NOT_FOUND = "That view no longer exists.";

const nameInput = safeText()
  .trim()
  .min(1, "Give the view a name.")
  .max(MAX_VIEW_NAME_LENGTH, `Keep the name under ${MAX_VIEW_NAME_LENGTH} characters.`);
// The explorer's query string as the browser has it: read by the page's own parser, then stored
// as the explorer writes it, so the view opens exactly that search.
const searchInput = safeText().max(8192);

const saveInput = z.object({
  name: nameInput,
  search: searchInput,
  visibility: z.enum(VIEW_VISIBILITIES),
});

const updateInput = z.object({
  id: z.uuid(),
  name: nameInput.optional(),
  /** Replace the view's search with this one (the current search). */
  search: searchInput.optional(),
  /** A member's own view only: private or shared. */
  shared: z.boolean().optional(),
});

const deleteInput = z.object({ id: z.uuid() });

type Ctx = OrgActionContext<Transaction>;

async function canonicalSearch(search: string, { db, user }: Ctx): Promise<string> {
  return parseWholeSearch(search, new Date(), (await readerTimeZoneIn(db, user.id)).zone).canonical;
}

/** The view as this reader may change it: their own, or one everyone sees when they manage the log. */
async function editableView(id: string, { org, user, access, db }: Ctx) {
  const [row] = await db
    .select()
    .from(savedViews)
    .where(and(eq(savedViews.orgId, org.id), eq(savedViews.id, id)))
    .for("update")
    .limit(1);
  if (!row) refuse(VIEW_NOT_FOUND);
  const mine = row.ownerId === user.id;
  const everyones = row.ownerId === null || row.shared;
  // Another member's private view is answered like a missing one.
  if (!mine && !everyones) refuse(VIEW_NOT_FOUND);
  if (!mine && !access.permissions.has("audit.manage"))
    refuse("Only its owner, or someone who manages the audit log, can change this view.");
  return row;
}

const LABEL: Record<ViewVisibility, string> = {
  organization: "Organization view",
  shared: "Shared view",
  private: "View",
};

const revalidate = (org: { slug: string }) => revalidatePath(`/orgs/${org.slug}/audit-logs`);

export const saveView = orgAction(
  {
    name: "saveView",
    schema: saveInput,
    invalid: "The view could not be saved: check its name.",
    permission: "audit.view",
    transaction: true,
    failure: "The view could not be saved. Try again in a moment.",
    revalidate,
  },
  async ({ name, search, visibility }, ctx): Promise<Pick<SavedView, "id" | "name" | "search" | "visibility">> => {
    if (visibility === "organization" && !ctx.access.permissions.has("audit.manage"))
      refuse("Only people who manage the audit log can add views for the whole organization.");
    const canonical = await canonicalSearch(search, ctx);
    const values = {
      orgId: ctx.org.id,
      ownerId: visibility === "organization" ? null : ctx.user.id,
      name,
      search: canonical,
      shared: visibility !== "private",
    };
    const [created] = await ctx.db
      .insert(savedViews)
      .values(values)
      .onConflictDoNothing()
      .returning({ id: savedViews.id });
    if (!created)
      refuse(
        visibility === "organization"
          ? `The organization already has a view named "${name}".`
          : `You already have a view named "${name}".`,
        { name: "Choose another name." },
      );
    if (visibility !== "private") {
      await ctx.record({
        category: "audit",
        action: "create_saved_view",
        description: `${LABEL[visibility]} "${name}" saved`,
        service: SERVICE,
        target: { type: "saved_view", id: created.id, name },
        after: { name, search: canonical, visibility },
      });
    }
    return { id: created.id, name, search: canonical, visibility };
  },
);

export const updateView = orgAction(
  {
    name: "updateView",
    schema: updateInput,
    invalid: "The view could not be changed: check its name.",
    permission: "audit.view",
    transaction: true,
    failure: "The view could not be changed. Try again in a moment.",
    revalidate,
  },
  async (input, ctx): Promise<Pick<SavedView, "id" | "name" | "search" | "visibility">> => {
    const row = await editableView(input.id, ctx);
    if (input.shared !== undefined && row.ownerId !== ctx.user.id)
      refuse("Only its owner can share a view or make it private again.");
    const next = {
      name: input.name ?? row.name,
      search: input.search === undefined ? row.search : await canonicalSearch(input.search, ctx),
      shared: row.ownerId === null ? true : (input.shared ?? row.shared),
    };
    try {
      await ctx.db
        .update(savedViews)
        .set({ ...next, updatedAt: new Date() })
        .where(and(eq(savedViews.orgId, ctx.org.id), eq(savedViews.id, row.id)));
    } catch (error) {
      if (isUniqueViolation(error))
        refuse(`A view named "${next.name}" already exists.`, { name: "Choose another name." });
      throw error;
    }
    const before = visibilityOf(row);
    const after = visibilityOf({ ownerId: row.ownerId, shared: next.shared });
    if (before !== "private" || after !== "private") {
      await ctx.record({
        category: "audit",
        action: "update_saved_view",
        description: `${LABEL[after]} "${next.name}" changed`,
        service: SERVICE,
        target: { type: "saved_view", id: row.id, name: next.name },
        before: { name: row.name, search: row.search, visibility: before },
        after: { name: next.name, search: next.search, visibility: after },
      });
    }
    return { id: row.id, name: next.name, search: next.search, visibility: after };
  },
);

export const deleteView = orgAction(
  {
    name: "deleteView",
    schema: deleteInput,
    invalid: VIEW_NOT_FOUND,
    permission: "audit.view",
    transaction: true,
    failure: "The view could not be deleted. Try again in a moment.",
    revalidate,
  },
  async ({ id }, ctx): Promise<{ id: string }> => {
    const row = await editableView(id, ctx);
    await ctx.db.delete(savedViews).where(and(eq(savedViews.orgId, ctx.org.id), eq(savedViews.id, row.id)));
    const visibility = visibilityOf(row);
    if (visibility !== "private") {
      await ctx.record({
        category: "audit",
        action: "delete_saved_view",
        description: `${LABEL[visibility]} "${row.name}" deleted`,
        service: SERVICE,
        target: { type: "saved_view", id: row.id, name: row.name },
        before: { name: row.name, search: row.search, visibility },
      });
    }
    return { id: row.id };
  },
);
