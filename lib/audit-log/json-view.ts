import type { AuditEntryDetails, CollapsedJson, JsonField, JsonValue } from "./types";

/*
 * How an entry's free-form JSON (params, before, after) reaches the details view. Values that are
 * already stored may be deep or large (a 1,000-level value rendered a 2 MB page): such a value is
 * not sent whole, only an outline of its first levels and entries and its compact text up to a
 * limit. Everything here is iterative, so no depth can overflow the stack. Pure.
 */

export interface JsonViewLimits {
  maxDepth: number;
  maxEntries: number;
  maxRawChars: number;
}
export const JSON_VIEW_LIMITS: JsonViewLimits = { maxDepth: 6, maxEntries: 200, maxRawChars: 8 * 1024 };

type Container = JsonValue[] | { [key: string]: JsonValue };

function isContainer(value: JsonValue): value is Container {
  return typeof value === "object" && value !== null;
}

function entriesOf(value: Container): [string | null, JsonValue][] {
  return Array.isArray(value) ? value.map((v) => [null, v]) : Object.entries(value);
}

/** Nesting depth and number of values, each counted only until it passes its limit. */
export function measureJson(value: JsonValue, limits: Pick<JsonViewLimits, "maxDepth" | "maxEntries">) {
  let depth = 0;
  let entries = 0;
  const stack: [JsonValue, number][] = [[value, 1]];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [current, level] = item;
    entries++;
    if (!isContainer(current)) continue;
    depth = Math.max(depth, level);
    if (depth > limits.maxDepth || entries > limits.maxEntries) break;
    for (const [, child] of entriesOf(current)) stack.push([child, level + 1]);
  }
  return { depth, entries, fits: depth <= limits.maxDepth && entries <= limits.maxEntries };
}

const summary = (value: Container) => {
  const n = Array.isArray(value) ? value.length : Object.keys(value).length;
  return Array.isArray(value) ? `[… ${n} ${n === 1 ? "item" : "items"}]` : `{… ${n} ${n === 1 ? "key" : "keys"}}`;
};

type Task =
  { kind: "value"; value: JsonValue; depth: number; prefix: string; suffix: string } | { kind: "line"; text: string };

/** Indented JSON of the first `maxDepth` levels; deeper containers as `{… n keys}`, at most `maxEntries` values. */
export function outlineJson(value: JsonValue, limits: Pick<JsonViewLimits, "maxDepth" | "maxEntries">): string {
  const lines: string[] = [];
  const stack: Task[] = [{ kind: "value", value, depth: 0, prefix: "", suffix: "" }];
  let budget = limits.maxEntries;
  let cut = false;
  for (let task = stack.pop(); task !== undefined; task = stack.pop()) {
    if (task.kind === "line") {
      lines.push(task.text);
      continue;
    }
    const indent = "  ".repeat(task.depth);
    if (budget <= 0) {
      if (!cut) lines.push(`${indent}… more not shown`);
      cut = true;
      continue;
    }
    budget--;
    const { value: current, prefix, suffix } = task;
    if (!isContainer(current)) {
      lines.push(`${indent}${prefix}${JSON.stringify(current)}${suffix}`);
      continue;
    }
    const children = entriesOf(current);
    const [open, close] = Array.isArray(current) ? ["[", "]"] : ["{", "}"];
    if (children.length === 0 || task.depth >= limits.maxDepth) {
      lines.push(`${indent}${prefix}${children.length === 0 ? open + close : summary(current)}${suffix}`);
      continue;
    }
    lines.push(`${indent}${prefix}${open}`);
    stack.push({ kind: "line", text: `${indent}${close}${suffix}` });
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i]!;
      stack.push({
        kind: "value",
        value: child,
        depth: task.depth + 1,
        prefix: key === null ? "" : `${JSON.stringify(key)}: `,
        suffix: i < children.length - 1 ? "," : "",
      });
    }
  }
  return lines.join("\n");
}

// Punctuation between values; a class, so no stored object can be mistaken for one.
class Literal {
  constructor(readonly text: string) {}
}

/** Compact JSON text, cut after `maxChars` characters. */
export function rawJson(value: JsonValue, maxChars: number): { text: string; complete: boolean } {
  const parts: string[] = [];
  let length = 0;
  const stack: (JsonValue | Literal)[] = [value];
  for (let item = stack.pop(); item !== undefined && length <= maxChars; item = stack.pop()) {
    if (item instanceof Literal || !isContainer(item)) {
      const text = item instanceof Literal ? item.text : JSON.stringify(item);
      parts.push(text);
      length += text.length;
      continue;
    }
    const children = entriesOf(item);
    const [open, close] = Array.isArray(item) ? ["[", "]"] : ["{", "}"];
    parts.push(open);
    length += 1;
    stack.push(new Literal(close));
    for (let i = children.length - 1; i >= 0; i--) {
      const [key, child] = children[i]!;
      stack.push(child);
      const lead = `${i > 0 ? "," : ""}${key === null ? "" : `${JSON.stringify(key)}:`}`;
      if (lead) stack.push(new Literal(lead));
    }
  }
  const text = parts.join("");
  return text.length > maxChars ? { text: text.slice(0, maxChars), complete: false } : { text, complete: true };
}

/** The view of one value: null when it can be sent whole, else its outline and raw text. */
export function collapseJson(value: JsonValue | null, limits: JsonViewLimits = JSON_VIEW_LIMITS): CollapsedJson | null {
  if (value === null) return null;
  const measured = measureJson(value, limits);
  if (measured.fits) return null;
  const raw = rawJson(value, limits.maxRawChars);
  return {
    outline: outlineJson(value, limits),
    raw: raw.text,
    rawComplete: raw.complete,
    reason: measured.depth > limits.maxDepth ? "deep" : "large",
  };
}

const FIELDS: JsonField[] = ["params", "before", "after"];

/** The details as the page sends them: deep or large JSON replaced by its collapsed view. */
export function withCollapsedJson(
  details: AuditEntryDetails,
  limits: JsonViewLimits = JSON_VIEW_LIMITS,
): AuditEntryDetails {
  const collapsed: Partial<Record<JsonField, CollapsedJson>> = {};
  const out = { ...details };
  for (const field of FIELDS) {
    const view = collapseJson(details[field], limits);
    if (!view) continue;
    collapsed[field] = view;
    out[field] = null;
  }
  return Object.keys(collapsed).length > 0 ? { ...out, collapsed } : details;
}
