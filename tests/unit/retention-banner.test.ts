import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { RetentionBanner } from "@/app/orgs/[org]/audit-logs/components/retention-banner";

const cutoff90 = "2026-08-24T04:00:00.000Z";
const cutoff365 = "2025-11-22T04:00:00.000Z";

describe("the explorer's retention banner", () => {
  it("says which categories lost older logs and links to the archive when there is one", () => {
    const html = renderToStaticMarkup(
      createElement(RetentionBanner, {
        info: {
          scope: "live",
          archiveEnabled: true,
          removedCategories: [
            { category: "service", cutoff: cutoff90, days: 90 },
            { category: "infra", cutoff: cutoff90, days: 90 },
            { category: "auth", cutoff: cutoff365, days: 365 },
          ],
        },
        archiveHref: "/orgs/acme/audit-logs?scope=archive&period=30d",
      }),
    );
    expect(html).toContain("Older logs were removed by the retention policy");
    expect(html).toContain("Service, Infra: entries before");
    expect(html).toContain("2026-08-24");
    expect(html).toContain("(kept 365 days)");
    expect(html).toContain('href="/orgs/acme/audit-logs?scope=archive&amp;period=30d"');
  });

  it("has no archive link without an archive, and renders nothing when nothing was removed", () => {
    const info = {
      scope: "live" as const,
      archiveEnabled: false,
      removedCategories: [{ category: "auth" as const, cutoff: cutoff365, days: 365 }],
    };
    expect(renderToStaticMarkup(createElement(RetentionBanner, { info, archiveHref: "/x" }))).not.toContain(
      "Browse the archive",
    );
    expect(
      renderToStaticMarkup(
        createElement(RetentionBanner, { info: { ...info, removedCategories: [] }, archiveHref: null }),
      ),
    ).toBe("");
  });
});
