import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EntryDetails } from "@/app/orgs/[org]/audit-logs/components/entry-details";
import { organizations } from "@/db/schema";
import { loadExplorer } from "@/lib/audit-log/load-explorer";
import { selectionFromParams } from "@/lib/audit-log/selection";
import type { AuditEvent } from "@/lib/audit/event-schema";
import { storeAuditEvents } from "@/lib/audit/record-audit-event";
import { createTestDatabase, type TestDatabase } from "../helpers/test-database";

/*
 * Deep or large JSON that is already stored (ingestion refuses it now, older entries may hold it)
 * keeps the details view usable: a 1,000-level value once rendered a 2 MB page. The entry is
 * stored bypassing validation, loaded the way the explorer page loads it, and rendered.
 */
let testDb: TestDatabase;
let orgId: string;

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: "bottom" };
  for (let i = 0; i < levels; i++) value = { level: value };
  return value;
}

function shaped(overrides: Partial<AuditEvent>): AuditEvent {
  return {
    idempotencyKey: null,
    occurredAt: new Date(),
    actor: null,
    category: "service",
    action: "deploy",
    description: null,
    target: null,
    result: "done",
    level: "information",
    service: null,
    ip: null,
    userAgent: null,
    requestId: null,
    correlationId: null,
    params: null,
    before: null,
    after: null,
    error: null,
    ...overrides,
  };
}

async function render(id: string) {
  const { selection } = selectionFromParams(orgId, { entry: id });
  const data = await loadExplorer(selection);
  expect(data.selected?.details.id).toBe(id);
  const selected = data.selected!;
  const html = renderToStaticMarkup(
    createElement(EntryDetails, { ...selected, hrefFor: (x: string) => `/e/${x}`, onOpen: () => {} }),
  );
  // What the page sends twice: the HTML and the props in the RSC payload.
  return { html, props: JSON.stringify(selected), details: selected.details };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  const [org] = await testDb.handle.db.insert(organizations).values({ slug: "acme", name: "Acme" }).returning();
  orgId = org!.id;
});
afterAll(async () => {
  await testDb?.drop();
});

describe("the details view of an entry with deep or large JSON", () => {
  it("shows 1,000-level params, before and after as an outline, in a small page", async () => {
    const deep = nested(1000);
    const [stored] = await storeAuditEvents(testDb.handle.db, orgId, [
      shaped({ params: deep, before: deep, after: { ...deep, changed: true } }),
    ]);
    const { html, props, details } = await render(stored!.id);
    expect(html.length).toBeLessThan(40_000);
    expect(props.length).toBeLessThan(60_000);
    expect(details.collapsed?.params?.reason).toBe("deep");
    expect(html).toContain("This value nests too deep to show whole");
    expect(html).toContain("Show raw JSON");
    expect(html).toContain("Too deep or large to compare field by field");
    // The outline stops at six levels and says what it left out.
    expect(details.collapsed!.params!.outline).toContain("{… 1 key}");
    expect(details.collapsed!.params!.outline.split("\n").length).toBeLessThan(20);
    expect(details.collapsed!.params!.raw.startsWith('{"level":{"level":')).toBe(true);
  });

  it("collapses a wide value past 200 entries, and sends a small value whole", async () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key${i}`, `value ${i}`]));
    const [big, small] = await storeAuditEvents(testDb.handle.db, orgId, [
      shaped({ params: wide }),
      shaped({ params: { env: "production", limits: { cpu: "1" } }, before: { v: 1 }, after: { v: 2 } }),
    ]);
    const wideView = await render(big!.id);
    expect(wideView.details.collapsed?.params?.reason).toBe("large");
    expect(wideView.details.collapsed!.params!.rawComplete).toBe(false);
    expect(wideView.props.length).toBeLessThan(30_000);
    expect(wideView.html).toContain("… more not shown");

    const smallView = await render(small!.id);
    expect(smallView.details.collapsed).toBeUndefined();
    expect(smallView.details.params).toEqual({ env: "production", limits: { cpu: "1" } });
    expect(smallView.html).toContain("1 changed");
  });
});
