import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { auditCategory } from "@/db/schema/enums";
import type { RetentionFormModel } from "@/app/orgs/[org]/settings/retention/lib/types";

// The form's server action is not called by a render; its module needs no database.
vi.mock("@/app/orgs/[org]/settings/retention/lib/actions", () => ({ saveRetentionSettings: vi.fn() }));
const { RetentionForm } = await import("@/app/orgs/[org]/settings/retention/components/retention-form");

const SECURITY = ["auth", "user", "organization", "audit", "secret", "vpn"] as const;

const model: RetentionFormModel = {
  orgSlug: "acme",
  groups: [
    {
      id: "security",
      label: "Security-sensitive",
      description: "Kept longer.",
      range: { min: 90, max: 3650 },
      defaultDays: 365,
      categories: SECURITY.map((category) => ({
        category,
        label: category,
        days: 365,
        storedBelowMinimum: category === "auth" ? 60 : null,
      })),
    },
    {
      id: "operational",
      label: "Operational",
      description: "Operations.",
      range: { min: 30, max: 3650 },
      defaultDays: 90,
      categories: auditCategory.enumValues
        .filter((c) => !(SECURITY as readonly string[]).includes(c))
        .map((category) => ({ category, label: category, days: 90, storedBelowMinimum: null })),
    },
  ],
  archive: { enabled: false, days: 2557, range: { min: 30, max: 3653 }, defaultDays: 2557 },
};

describe("the retention settings form", () => {
  const html = renderToStaticMarkup(createElement(RetentionForm, { model }));

  it("has a field per category with its allowed range beside it", () => {
    for (const category of auditCategory.enumValues) expect(html).toContain(`name="days.${category}"`);
    expect(html.match(/Allowed: 90–3,650 days/g)).toHaveLength(6 + 1);
    expect(html.match(/Allowed: 30–3,650 days/g)).toHaveLength(10 + 1);
    expect(html).toContain("Saved as 60 days, below the minimum: 365 days apply.");
  });

  it("sets a whole group at once, and shows the archive period in years", () => {
    expect(html.match(/Apply to group/g)).toHaveLength(2);
    const input = (name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0] ?? "";
    expect(input("archivePeriod")).toContain('value="7"');
    expect(input("archiveUnit")).toContain('value="years"');
    expect(input("archiveEnabled")).toContain('value=""');
    expect(input("days.auth")).toContain('value="365"');
  });
});
