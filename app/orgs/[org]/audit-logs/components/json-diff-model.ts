import type { JsonValue } from "@/lib/audit-log/types";

/*
 * Before/after comparison as flat paths (`limits.cpu`, `tags[2]`): one line per leaf that was
 * added, removed or changed. Pure, so it is easy to test and the component only renders.
 */

export type DiffKind = "added" | "removed" | "changed" | "unchanged";

export interface DiffLine {
  path: string;
  kind: DiffKind;
  before?: JsonValue;
  after?: JsonValue;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function childPath(parent: string, key: string): string {
  if (IDENTIFIER.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Leaves by path. Empty objects and arrays are leaves themselves, so they still show. */
export function flattenJson(value: JsonValue, path = "", out = new Map<string, JsonValue>()): Map<string, JsonValue> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => flattenJson(item, `${path}[${i}]`, out));
  } else if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) flattenJson(item, childPath(path, key), out);
  } else {
    out.set(path === "" ? "(value)" : path, value);
  }
  return out;
}

const same = (a: JsonValue, b: JsonValue) => JSON.stringify(a) === JSON.stringify(b);

export function diffJson(before: JsonValue | null, after: JsonValue | null): DiffLine[] {
  const left = before === null ? new Map<string, JsonValue>() : flattenJson(before);
  const right = after === null ? new Map<string, JsonValue>() : flattenJson(after);
  const paths = [...new Set([...left.keys(), ...right.keys()])];
  return paths.map((path): DiffLine => {
    const inLeft = left.has(path);
    const inRight = right.has(path);
    const b = left.get(path);
    const a = right.get(path);
    if (!inLeft) return { path, kind: "added", after: a };
    if (!inRight) return { path, kind: "removed", before: b };
    return same(b!, a!)
      ? { path, kind: "unchanged", before: b, after: a }
      : { path, kind: "changed", before: b, after: a };
  });
}

/** A value as JSON text: strings keep their quotes so "1" and 1 stay distinguishable. */
export function jsonText(value: JsonValue | undefined): string {
  if (value === undefined) return "";
  return JSON.stringify(value);
}
