"use server";

import { z } from "zod";
import { orgAction } from "@/lib/actions/org-action";
import { MAX_CURSOR_LENGTH } from "@/lib/audit-log/cursor";
import { suggestActions } from "@/lib/audit-log/action-names";
import { countNewerEntries } from "@/lib/audit-log/new-entries";
import { REMOTE_KEYS } from "@/lib/audit-log/search-completion";
import { searchPeople, type PersonMatch } from "@/lib/audit-log/people-search";
import { rawSearchParams, selectionFromParams } from "@/lib/audit-log/selection";
import { readerTimeZone } from "@/lib/preferences/reader-time-zone";

const MAX_TEXT = 200;
const MAX_RESULTS = 8;

/**
 * The filter panel's user search: the organization's members and the actors of its log (removed
 * members, service accounts) by name, email or id. A server action is a public endpoint, so it
 * checks the origin, the session and audit.view itself, whatever the page did; the search is
 * scoped to the organization the caller is checked in.
 */
export const searchUsers = orgAction(
  {
    name: "searchUsers",
    schema: z.string(),
    invalid: "The search could not be read.",
    permission: "audit.view",
    failure: "Users could not be searched. Try again.",
  },
  async (text, { org }): Promise<PersonMatch[]> => searchPeople(org.id, text.slice(0, MAX_TEXT), MAX_RESULTS),
);

const newestShownSchema = z.object({ occurredAt: z.iso.datetime({ offset: true }), id: z.uuid() }).nullable();

const newEntriesInput = z.object({
  /** The explorer's query string as the browser shows it: read by the page's own parser. */
  query: z.string().max(MAX_CURSOR_LENGTH * 2),
  newest: newestShownSchema,
});

/** The "N new entries" bar's figure: `count` exact up to NEW_ENTRIES_CAP, else `more` is true. */
export interface NewEntriesCount {
  count: number;
  more: boolean;
}

/**
 * How many entries of the current search arrived above the newest one the reader sees. The query
 * string goes through the explorer's own parser (the one query core, invalid parts dropped as the
 * page drops them) and the count is scoped to the organization checked here; rolling periods are
 * resolved now, as the reload the bar offers would resolve them.
 */
export const countNewEntries = orgAction(
  {
    name: "countNewEntries",
    schema: newEntriesInput,
    invalid: "The search could not be read.",
    permission: "audit.view",
    failure: "New entries could not be checked.",
  },
  async ({ query, newest }, { org }): Promise<NewEntriesCount> => {
    const { selection } = selectionFromParams(org.id, rawSearchParams(query), undefined, (await readerTimeZone()).zone);
    const counted = await countNewerEntries(selection, newest);
    return counted.exact ? { count: counted.count, more: false } : { count: counted.atLeast, more: true };
  },
);

const suggestInput = z.object({ key: z.enum(REMOTE_KEYS), text: z.string().max(MAX_TEXT) });

/** A value the search box offers for `user:` or `action:`, from the organization's own log. */
export interface ValueSuggestion {
  value: string;
  label: string;
  detail: string | null;
}

/**
 * The search box's suggestions for `user:` (actors of the log and members, as the user filter
 * finds them) and `action:` (the organization's actions starting with the text).
 */
export const suggestSearchValues = orgAction(
  {
    name: "suggestSearchValues",
    schema: suggestInput,
    invalid: "Suggestions could not be read.",
    permission: "audit.view",
    failure: "Suggestions are not available right now.",
  },
  async ({ key, text }, { org }): Promise<ValueSuggestion[]> => {
    if (key === "action") {
      const actions = await suggestActions(org.id, text.trim().toLowerCase(), MAX_RESULTS);
      return actions.map((action) => ({ value: action, label: action, detail: null }));
    }
    const people = await searchPeople(org.id, text.trim(), MAX_RESULTS);
    return people.map((p) => ({
      value: p.value,
      label: p.name ?? p.value,
      detail: p.name ? p.value : p.member ? null : "not a member",
    }));
  },
);
