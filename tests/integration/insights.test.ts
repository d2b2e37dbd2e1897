import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "@/db/client";
import { seedDatabase } from "@/db/seed";
import { countMatching } from "@/lib/audit-log/counts";
import { facetLinks, type FacetKind } from "@/lib/audit-log/facet-links";
import { readSearchInsights, type SearchInsights } from "@/lib/audit-log/insights";
import { explorerHref, type RawSearchParams } from "@/lib/audit-log/search-params";
import { rawSearchParams, selectionFromParams } from "@/lib/audit-log/selection";
import { patternFilters, readSignInPatterns } from "@/lib/audit-log/sign-in-patterns";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * Every figure of the insights is what the explorer lists for the same search: the histogram's
 * buckets add up to the explorer's exact count, each facet value's count is the exact count of
 * the explorer filtered by that value (through the very link the page shows), its exclusion
 * link lists the rest, and each burst of failed sign-ins links to exactly its failures. Searches
 * are generated over the demo seed, which has sign-in attacks.
 */

const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const ROWS = 6_000;

let db: TestDatabase;
let orgId: string;

async function exact(raw: RawSearchParams): Promise<number> {
  const { selection } = selectionFromParams(orgId, raw, NOW);
  const count = await countMatching(selection, { cap: null });
  if (!count.exact) throw new Error("uncapped count");
  return count.count;
}

const viaHref = (href: string) => rawSearchParams(href.includes("?") ? href.slice(href.indexOf("?")) : "");

const FACETS: [FacetKind, keyof SearchInsights][] = [
  ["category", "categories"],
  ["result", "results"],
  ["level", "levels"],
  ["actor", "actors"],
  ["action", "actions"],
  ["target", "targets"],
  ["ip", "ips"],
];

const searches = fc.record(
  {
    period: fc.constantFrom("today", "7d", "30d", undefined),
    type: fc.constantFrom("auth", "service,user", "auth,vpn,secret", undefined),
    result: fc.constantFrom("failed", "done,pending", undefined),
    q: fc.constantFrom(
      "action:login",
      "deploy",
      "-type:auth",
      "level:notice",
      "ip:203.0.113.0/24",
      "action:login action:logout",
      "-result:done service:sign-in",
      "ch",
      undefined,
    ),
  },
  { requiredKeys: [] },
);

function rawOf(search: Record<string, string | undefined>): RawSearchParams {
  return Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined)) as RawSearchParams;
}

describe("insights", () => {
  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDatabase(db.handle, { rows: ROWS, seed: 11, now: NOW });
    const [org] = await queryRows<{ id: string }>(
      db.handle.db,
      sql`select id::text as id from organizations where slug = 'acme'`,
    );
    orgId = org!.id;
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it("buckets add up to the explorer's count and facet links list exactly their counts", async () => {
    await fc.assert(
      fc.asyncProperty(searches, async (search) => {
        const raw = rawOf(search);
        const { selection } = selectionFromParams(orgId, raw, NOW);
        const insights = await readSearchInsights(selection, { now: NOW });
        const total = await exact(raw);
        expect(insights.coverage.capped).toBe(false);
        expect(insights.buckets.reduce((n, b) => n + b.total, 0)).toBe(total);
        expect(insights.coverage.counted).toBe(total);
        // The explorer's compact chart reads the histogram alone: the same buckets.
        const alone = await readSearchInsights(selection, { now: NOW, facets: false });
        expect(alone.buckets).toEqual(insights.buckets);
        // Contiguous buckets of one size, covering the period.
        for (const [i, b] of insights.buckets.entries()) {
          expect(b.endMs - b.startMs).toBe(insights.plan.sizeMs);
          if (i > 0) expect(b.startMs).toBe(insights.buckets[i - 1]!.endMs);
        }
        for (const [kind, field] of FACETS) {
          const facet = insights[field] as SearchInsights["actors"];
          if (kind === "category" || kind === "result" || kind === "level") {
            expect(facet.values.reduce((n, v) => n + v.count, 0)).toBe(total);
          }
          for (const value of facet.values) {
            if (value.key === null) continue;
            const links = facetLinks(kind, value.key, selection.params);
            expect(links.only, `${kind} ${value.key}`).not.toBeNull();
            const only = await exact(viaHref(explorerHref("/x", selection.params, links.only!)));
            expect(only, `${kind}=${value.key} in ${JSON.stringify(raw)}`).toBe(value.count);
            if (links.exclude) {
              const rest = await exact(viaHref(explorerHref("/x", selection.params, links.exclude)));
              expect(rest + only, `not ${kind}=${value.key}`).toBe(total);
            }
          }
        }
      }),
      { numRuns: 12, seed: 18 },
    );
  }, 300_000);

  it("a histogram over an open start still adds up", async () => {
    const raw = { period: "custom", to: NOW.toISOString().slice(0, 10) };
    const { selection } = selectionFromParams(orgId, raw, NOW);
    const insights = await readSearchInsights(selection, { now: NOW });
    expect(insights.buckets.reduce((n, b) => n + b.total, 0)).toBe(await exact(raw));
    expect(insights.buckets.length).toBeLessThanOrEqual(200);
  });

  it("over the cap, the newest entries are counted and the rest is named as not counted", async () => {
    // A search the hourly roll-up cannot answer (it filters by action), which matches everything.
    const raw = { period: "30d", q: "-action:no_such_action" };
    const { selection } = selectionFromParams(orgId, raw, NOW);
    const total = await exact(raw);
    const cap = Math.floor(total / 3);
    const insights = await readSearchInsights(selection, { now: NOW, cap });
    expect(insights.coverage).toMatchObject({ capped: true, counted: cap });
    expect(insights.buckets.reduce((n, b) => n + b.total, 0)).toBe(cap);
    const from = insights.coverage.countedFromMs!;
    // Exactly the entries from the oldest counted one on (up to entries sharing its millisecond).
    const newer = await exact({ period: "custom", from: new Date(from + 1).toISOString(), to: NOW.toISOString() });
    expect(newer).toBeLessThan(cap);
    expect(insights.buckets.filter((b) => b.endMs <= from).every((b) => b.total === 0)).toBe(true);
  });

  it("a free-word search counts its newest matches with no count first, and says so only when more match", async () => {
    const raw = { period: "30d", q: "deploy" };
    const { selection } = selectionFromParams(orgId, raw, NOW);
    const total = await exact(raw);
    expect(total).toBeGreaterThan(30);
    const third = Math.floor(total / 3);
    // The general cap is above the total: only the free-word sample bounds what is read.
    const sampled = await readSearchInsights(selection, { now: NOW, cap: total * 2, freeWordCap: third });
    expect(sampled.coverage).toMatchObject({ capped: true, counted: third });
    expect(sampled.buckets.reduce((n, b) => n + b.total, 0)).toBe(third);
    const from = sampled.coverage.countedFromMs!;
    const newer = await exact({
      ...raw,
      period: "custom",
      from: new Date(from + 1).toISOString(),
      to: NOW.toISOString(),
    });
    expect(newer).toBeLessThan(third);
    // One match fewer than the sample: more match, and it says so; exactly the sample: all counted.
    expect((await readSearchInsights(selection, { now: NOW, freeWordCap: total - 1 })).coverage).toMatchObject({
      capped: true,
      counted: total - 1,
    });
    expect((await readSearchInsights(selection, { now: NOW, freeWordCap: total })).coverage).toEqual({
      capped: false,
      counted: total,
      countedFromMs: null,
    });
  });

  it("over the cap, a search the roll-up answers keeps an exact histogram and caps the top lists alone", async () => {
    const raw = { period: "30d" };
    const { selection } = selectionFromParams(orgId, raw, NOW);
    const total = await exact(raw);
    const cap = Math.floor(total / 3);
    const insights = await readSearchInsights(selection, { now: NOW, cap });
    expect(insights.coverage).toEqual({ counted: total, capped: false, countedFromMs: null });
    expect(insights.buckets.reduce((n, b) => n + b.total, 0)).toBe(total);
    expect(insights.topCoverage).toMatchObject({ capped: true, counted: cap });
    expect(insights.actions.values.reduce((n, v) => n + v.count, 0)).toBeLessThanOrEqual(cap);
    // The top lists name from when they counted: the newest entries, up to the cap.
    const from = insights.topCoverage.countedFromMs!;
    const newer = await exact({ period: "custom", from: new Date(from + 1).toISOString(), to: NOW.toISOString() });
    expect(newer).toBeLessThan(cap);
    expect(
      await exact({ period: "custom", from: new Date(from).toISOString(), to: NOW.toISOString() }),
    ).toBeGreaterThanOrEqual(cap);
  });

  it("failed sign-ins: the seeded bursts are found and each link lists exactly its failures", async () => {
    const { selection } = selectionFromParams(orgId, { period: "30d" }, NOW);
    const patterns = await readSignInPatterns(orgId, selection.params);
    expect(patterns.capped).toBe(false);
    expect(patterns.total).toBe(await exact(viaHref(explorerHref("/x", selection.params, patternFilters()))));
    const groups = [
      ...patterns.byIp.groups.map((g) => ({ g, q: `ip:${g.key}` })),
      ...patterns.byAccount.groups.map((g) => ({ g, q: `resource:"${g.key}"` })),
    ];
    const bursts = groups.flatMap(({ g, q }) => g.bursts.map((b) => ({ b, q })));
    expect(bursts.length).toBeGreaterThan(0);
    for (const { b, q } of bursts) {
      const href = explorerHref("/x", selection.params, {
        ...patternFilters(q),
        period: "custom",
        from: new Date(b.fromMs).toISOString(),
        to: new Date(b.toMs).toISOString(),
      });
      expect(b.count).toBeGreaterThanOrEqual(5);
      expect(await exact(viaHref(href)), href).toBe(b.count);
    }
    for (const { g, q } of groups) {
      expect(await exact(viaHref(explorerHref("/x", selection.params, patternFilters(q)))), q).toBe(g.count);
    }
  }, 120_000);
});
