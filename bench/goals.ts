import type { Summary } from "./measure";
import type { GoalClass } from "./scenarios";

/*
 * The goals of issue 7, for 2 cores and 10 million entries. At other sizes they are printed the
 * same way for comparison; only the 10M run on the reference machine is the verdict.
 */

export const GOALS = {
  view: { ttfbMedian: 60, ttfbP95: 150 },
  search: { p95: 250 },
  count: { ms: 1000 },
  csv: { ofCopy: 0.5, rssMiB: 400 },
  // Issue 20: reading the whole largest organization through the read API.
  readApi: { ofCsv: 0.5 },
  xlsx: { rowsPerSecond: 40_000, rssMiB: 400 },
  ingestion: { eventsPerSecond: 10_000, explorerP95: 300 },
  mixed: { errors: 0, p95: 500 },
} as const;

export interface Verdict {
  goal: string;
  met: boolean | null;
  verdict?: string;
}

const f = (v: number) => `${Math.round(v)} ms`;

export function scenarioVerdict(goal: GoalClass, ttfb: Summary, full: Summary): Verdict {
  switch (goal) {
    case "view":
      return {
        goal: `TTFB median ≤ ${GOALS.view.ttfbMedian} ms, p95 ≤ ${GOALS.view.ttfbP95} ms`,
        met: ttfb.median <= GOALS.view.ttfbMedian && ttfb.p95 <= GOALS.view.ttfbP95,
        verdict: `${f(ttfb.median)} / ${f(ttfb.p95)}`,
      };
    case "search":
      return {
        goal: `p95 ≤ ${GOALS.search.p95} ms`,
        met: full.p95 <= GOALS.search.p95,
        verdict: `full p95 ${f(full.p95)}`,
      };
    case "none":
      return { goal: "(none: 1-2 characters)", met: null };
  }
}
