import { auditCategory, auditLevel, auditResult } from "@/db/schema/enums";
import { CATEGORY_LABELS, LEVEL_LABELS, RESULT_LABELS } from "./labels";
import { SEARCH_QUALIFIERS, type SearchQualifierKey } from "./search-language";

/*
 * Autocomplete for the search box: what is being typed at the caret (a qualifier's name, or the
 * value after `key:`), the suggestions known without asking the server (qualifiers, categories,
 * results, levels), and the text after one is taken. The server suggests actors and actions.
 * Pure: the search box runs it on every keystroke.
 */

/** The word at the caret: [start, end) in the text, without a leading `-`. */
export interface CompletionContext {
  start: number;
  end: number;
  negated: boolean;
  /** The qualifier whose value is being typed; null while its name (or a plain word) is. */
  key: SearchQualifierKey | null;
  /** What is typed of the name or the value, lower-cased, without an opening quote. */
  partial: string;
}

export interface Suggestion {
  /** What the list shows. */
  label: string;
  detail: string | null;
  /** The token that replaces the word at the caret (`type:auth`, or `user:` to go on typing). */
  insert: string;
  /** Whether taking it ends the token (a space follows) or the value is still to be typed. */
  complete: boolean;
}

/** Qualifiers whose values the server suggests from the organization's log. */
export const REMOTE_KEYS = ["user", "action"] as const;
export type RemoteKey = (typeof REMOTE_KEYS)[number];
export const isRemoteKey = (key: SearchQualifierKey | null): key is RemoteKey => REMOTE_KEYS.some((k) => k === key);

const KEY_BY_NAME = new Map(SEARCH_QUALIFIERS.flatMap((q) => [q.key, ...q.aliases].map((n) => [n, q.key] as const)));

export function completionAt(text: string, caret: number): CompletionContext | null {
  if (caret < 0 || caret > text.length) return null;
  let start = caret;
  while (start > 0 && !/\s/.test(text[start - 1]!)) start -= 1;
  let end = caret;
  while (end < text.length && !/\s/.test(text[end]!)) end += 1;
  const word = text.slice(start, caret);
  // Inside a quoted phrase the words are the phrase's, not qualifiers.
  const quotesBefore = (text.slice(0, start).match(/"/g) ?? []).length;
  if (quotesBefore % 2 === 1) return null;
  const negated = word.startsWith("-");
  const body = negated ? word.slice(1) : word;
  const colon = body.indexOf(":");
  if (colon === -1) {
    if (body === "") return null;
    return { start, end, negated, key: null, partial: body.toLowerCase() };
  }
  const key = KEY_BY_NAME.get(body.slice(0, colon).toLowerCase());
  if (!key) return null;
  const value = body.slice(colon + 1).replace(/^"/, "");
  return { start, end, negated, key, partial: value.toLowerCase() };
}

function quoted(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, "")}"` : value;
}

/** `key:value` for a value the server or a list gave. */
export function valueToken(key: SearchQualifierKey, value: string, negated: boolean): string {
  return `${negated ? "-" : ""}${key}:${quoted(value)}`;
}

function enumSuggestions(
  key: SearchQualifierKey,
  values: readonly string[],
  labels: Readonly<Record<string, string>>,
  ctx: CompletionContext,
): Suggestion[] {
  return values
    .filter((v) => v.startsWith(ctx.partial) || labels[v]!.toLowerCase().startsWith(ctx.partial))
    .map((v) => ({ label: v, detail: labels[v]!, insert: valueToken(key, v, ctx.negated), complete: true }));
}

/**
 * A qualifier's own name that starts with what is typed ranks before one found through an alias
 * ("act" lists action: before user:, which it reaches as actor:), and an alias match says which
 * name it came from, so that the list never offers a word the reader did not type without saying why.
 */
function qualifierSuggestions(ctx: CompletionContext): Suggestion[] {
  const starts = (name: string) => name.startsWith(ctx.partial) && name !== ctx.partial;
  const own = SEARCH_QUALIFIERS.filter((q) => starts(q.key)).map((q) => ({ q, alias: null as string | null }));
  const byAlias = SEARCH_QUALIFIERS.filter((q) => !starts(q.key) && q.key !== ctx.partial).flatMap((q) => {
    const alias = q.aliases.find(starts);
    return alias ? [{ q, alias }] : [];
  });
  return [...own, ...byAlias].map(({ q, alias }) => ({
    label: `${q.key}:`,
    detail: alias ? `${alias}: is the same. ${q.description}` : q.description,
    insert: `${ctx.negated ? "-" : ""}${q.key}:`,
    complete: false,
  }));
}

/** The suggestions that need no server: qualifier names, and the values of fixed lists. */
export function localSuggestions(ctx: CompletionContext): Suggestion[] {
  if (ctx.key === null) return qualifierSuggestions(ctx);
  switch (ctx.key) {
    case "type":
      return enumSuggestions("type", auditCategory.enumValues, CATEGORY_LABELS, ctx);
    case "result":
      return enumSuggestions("result", auditResult.enumValues, RESULT_LABELS, ctx);
    case "level":
      return enumSuggestions("level", auditLevel.enumValues, LEVEL_LABELS, ctx);
    default:
      return [];
  }
}

/** The text with the word at the caret replaced by the suggestion, and where the caret goes. */
export function applySuggestion(
  text: string,
  ctx: CompletionContext,
  suggestion: Suggestion,
): { text: string; caret: number } {
  const before = text.slice(0, ctx.start);
  const after = text.slice(ctx.end);
  // A whole token is followed by a space (the one there, or a new one); a name is not.
  const joint = suggestion.complete && !/^\s/.test(after) ? " " : "";
  const next = `${before}${suggestion.insert}${joint}${after}`;
  return { text: next, caret: before.length + suggestion.insert.length + (suggestion.complete ? 1 : 0) };
}
