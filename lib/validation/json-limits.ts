import { isSafeText, showUnsafeText, UNSAFE_TEXT_MESSAGE } from "./safe-text";

/*
 * Limits for free-form JSON that a client sends (an event's params, before and after). The walk
 * is iterative: a value nested 10,000 deep made every recursive reader (JSON.stringify among
 * them) overflow the stack, so nothing recursive may look at a value before its depth is known.
 */

export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_BYTES = 64 * 1024;

export interface JsonProblem {
  /** Keys and indexes below the checked value; empty for the value as a whole. */
  path: (string | number)[];
  message: string;
}

interface Pending {
  value: unknown;
  path: (string | number)[];
  depth: number;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === "object" && value !== null;
}

/** The first problem in every string, key and nesting level of `value`, or null. */
function walk(value: unknown, maxDepth: number): JsonProblem | null {
  const stack: Pending[] = [{ value, path: [], depth: 1 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: current, path, depth } = item;
    if (typeof current === "string") {
      if (!isSafeText(current)) return { path, message: UNSAFE_TEXT_MESSAGE };
      continue;
    }
    if (!isContainer(current)) continue;
    if (depth > maxDepth) return { path: [], message: `must not nest deeper than ${maxDepth} levels` };
    if (Array.isArray(current)) {
      current.forEach((child, index) => stack.push({ value: child, path: [...path, index], depth: depth + 1 }));
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (!isSafeText(key)) return { path: [...path, showUnsafeText(key)], message: `key ${UNSAFE_TEXT_MESSAGE}` };
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
  return null;
}

/**
 * Checks a JSON value that is about to be stored: storable text in every string and key, at most
 * `maxDepth` levels of objects and arrays, at most `maxBytes` of UTF-8 JSON. Never throws.
 */
export function checkJsonValue(
  value: unknown,
  { maxDepth = MAX_JSON_DEPTH, maxBytes = MAX_JSON_BYTES }: { maxDepth?: number; maxBytes?: number } = {},
): JsonProblem | null {
  const problem = walk(value, maxDepth);
  if (problem) return problem;
  // Safe now: the depth is bounded, so stringify cannot overflow.
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length;
  if (bytes > maxBytes) return { path: [], message: `must be at most ${Math.round(maxBytes / 1024)} KiB of JSON` };
  return null;
}
