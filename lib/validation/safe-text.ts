import { z } from "zod";

/*
 * Text that PostgreSQL can store. A NUL character is refused by every text and jsonb column, and
 * an unpaired UTF-16 surrogate is refused by jsonb (and silently replaced in text columns), so
 * either one turned into a database error, a 500, wherever it reached a query. Every input path
 * checks with this one rule instead. Pure: client components may import it too.
 */

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// Without the `u` flag the pattern reads UTF-16 code units, which is what makes lone halves visible.
const UNSAFE_TEXT = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_TEXT_GLOBAL = new RegExp(UNSAFE_TEXT.source, "g");

export const UNSAFE_TEXT_MESSAGE = "must not contain NUL characters or unpaired surrogates";

/** The message shown to people filling in a form. */
export const UNSAFE_TEXT_FORM_MESSAGE =
  "The text contains a character that cannot be stored (a NUL or an unpaired surrogate). Remove it and try again.";

export function isSafeText(value: string): boolean {
  return !UNSAFE_TEXT.test(value);
}

/** The text with each offending character written as `\uXXXX`, so it can be named in a message. */
export function showUnsafeText(value: string): string {
  return value.replace(UNSAFE_TEXT_GLOBAL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** A zod string that refuses unstorable text; chain `.trim()`, `.max()` etc. as usual. */
export function safeText(message: string = UNSAFE_TEXT_MESSAGE) {
  return z.string().refine(isSafeText, { message });
}
