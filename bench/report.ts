import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/*
 * One markdown table for everything measured, and the same figures (with all the detail behind
 * them: plans, per-statement times, settings) as JSON under bench/results/.
 */

export interface TableRow {
  scenario: string;
  ttfbMedian?: number | null;
  ttfbP95?: number | null;
  fullMedian?: number | null;
  fullP95?: number | null;
  /** Text for the "DB limit" cell (ms or a rate). */
  dbLimit?: string;
  naive?: string;
  ratio?: string;
  goal: string;
  /** null: no goal for this row. */
  met: boolean | null;
  /** The figure the verdict rests on, shown beside it. */
  verdict?: string;
}

export const ms = (v: number | null | undefined): string =>
  v === null || v === undefined || Number.isNaN(v)
    ? "—"
    : v >= 1000
      ? `${(v / 1000).toFixed(2)} s`
      : `${v >= 100 ? Math.round(v) : v.toFixed(1)} ms`;

export const int = (v: number): string => Math.round(v).toLocaleString("en-US");

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

export function markdownTable(rows: TableRow[]): string {
  const head = [
    "scenario",
    "TTFB median",
    "TTFB p95",
    "full median",
    "full p95",
    "DB limit",
    "naive",
    "ratio (naive/console)",
    "goal",
    "met?",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map((h, i) => (i === 0 || i === 8 ? "---" : "---:")).join("|")}|`];
  for (const r of rows) {
    const met = r.met === null ? "—" : r.met ? "yes" : "**no**";
    lines.push(
      `| ${[
        cell(r.scenario),
        ms(r.ttfbMedian),
        ms(r.ttfbP95),
        ms(r.fullMedian),
        ms(r.fullP95),
        r.dbLimit ?? "—",
        r.naive ?? "—",
        r.ratio ?? "—",
        cell(r.goal),
        r.verdict ? `${met} (${cell(r.verdict)})` : met,
      ].join(" | ")} |`,
    );
  }
  return lines.join("\n");
}

export function writeResults(dir: string, payload: unknown): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = path.join(dir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  return file;
}
