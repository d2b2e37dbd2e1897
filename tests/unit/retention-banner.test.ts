import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { RetentionBanner, SCHEDULE_HINT } from "@/app/orgs/[org]/audit-logs/components/retention-banner";
import type { RetentionBannerInfo } from "@/lib/retention/banner-info";

const cutoff90 = "2026-08-24T04:00:00.000Z";
const cutoff365 = "2025-11-22T04:00:00.000Z";
const ranAt = "2026-11-22T04:00:00.000Z";

const base: RetentionBannerInfo = {
  scope: "live",
  archiveEnabled: false,
  scheduled: false,
  removedCategories: [],
  pendingCategories: [],
};

function render(info: Partial<RetentionBannerInfo>, archiveHref: string | null = null): string {
  return renderToStaticMarkup(createElement(RetentionBanner, { info: { ...base, ...info }, archiveHref }));
}

describe("the explorer's retention banner", () => {
  it("says which categories a run removed older logs of, when, and links to the archive when there is one", () => {
    const html = render(
      {
        archiveEnabled: true,
        scheduled: true,
        removedCategories: [
          { category: "service", cutoff: cutoff90, days: 90, ranAt },
          { category: "infra", cutoff: cutoff90, days: 90, ranAt },
          { category: "auth", cutoff: cutoff365, days: 365, ranAt },
        ],
      },
      "/orgs/acme/audit-logs?scope=archive&period=30d",
    );
    expect(html).toContain("Older logs were removed by the retention policy");
    expect(html).toContain("Service, Infra: entries before");
    expect(html).toContain("2026-08-24");
    expect(html).toContain("(kept 365 days); removed by the retention run of");
    expect(html).toContain('<time dateTime="2026-11-22T04:00:00.000Z">2026-11-22</time>');
    expect(html).toContain('href="/orgs/acme/audit-logs?scope=archive&amp;period=30d"');
    expect(html).not.toContain("still in the log");
  });

  it("never says entries are gone when the policy was never applied, and says how to schedule it", () => {
    // Issue 15 item 13: no run yet, schedule off, a search reaching back 400 days.
    const html = render({
      pendingCategories: [
        { category: "service", from: null, cutoff: cutoff90, days: 90 },
        { category: "auth", from: null, cutoff: cutoff365, days: 365 },
      ],
    });
    expect(html).toContain("Logs past the retention policy are not removed yet");
    expect(html).toContain("Service: entries before");
    expect(html).toContain("are past the 90-day retention but still in the log");
    expect(html).toContain("the retention policy has not been applied yet");
    expect(html).toContain(SCHEDULE_HINT);
    expect(html).toContain("RETENTION_SCHEDULE");
    expect(html).toContain("npm run retention");
    expect(html).not.toContain("no longer in the log");
    expect(html).not.toContain("were removed");
  });

  it("says what the last run removed and what still waits for the next one", () => {
    const html = render({
      scheduled: true,
      removedCategories: [{ category: "service", cutoff: cutoff365, days: 90, ranAt }],
      pendingCategories: [{ category: "service", from: cutoff365, cutoff: cutoff90, days: 90 }],
    });
    expect(html).toContain("Service: entries before");
    expect(html).toContain("no longer in the log");
    expect(html).toContain("from <time");
    expect(html).toContain("the next retention run removes them");
    // Scheduled: no advice to schedule.
    expect(html).not.toContain("RETENTION_SCHEDULE");
  });

  it("speaks of the archive in the archive", () => {
    const html = render({
      scope: "archive",
      pendingCategories: [{ category: "auth", from: null, cutoff: cutoff365, days: 2922 }],
    });
    expect(html).toContain("Archived logs past the archive period are not deleted yet");
    expect(html).toContain("are past the archive period but still in the archive");
  });

  it("has no archive link without an archive, and renders nothing when nothing was removed or is due", () => {
    const removedCategories = [{ category: "auth" as const, cutoff: cutoff365, days: 365, ranAt }];
    expect(render({ removedCategories }, "/x")).not.toContain("Browse the archive");
    expect(render({})).toBe("");
  });
});
