import { describe, expect, it } from "vitest";
import { auditCategory } from "@/db/schema/enums";
import {
  RETENTION_GROUPS,
  daysAsWholeYears,
  defaultDays,
  effectiveDays,
  groupOf,
  retentionBounds,
  yearsToDays,
} from "@/lib/retention/policy";
import { parseRetentionSchedule } from "@/lib/retention/schedule";

describe("retention policy rules", () => {
  it("splits the 16 categories into the guide's two groups", () => {
    const [security, operational] = RETENTION_GROUPS;
    expect(security!.categories).toEqual(["auth", "user", "organization", "audit", "secret", "vpn"]);
    expect([...security!.categories, ...operational!.categories].sort()).toEqual([...auditCategory.enumValues].sort());
    expect(groupOf("service").id).toBe("operational");
  });

  it("defaults to 365 and 90 days within the built-in legal minimums", () => {
    const bounds = retentionBounds({});
    expect(bounds.groups).toEqual({ security: { min: 90, max: 3650 }, operational: { min: 30, max: 3650 } });
    expect(defaultDays("auth", bounds)).toBe(365);
    expect(defaultDays("service", bounds)).toBe(90);
  });

  it("lets the deployment raise a minimum but never lower it, and refuses a malformed one", () => {
    const raised = retentionBounds({ RETENTION_MIN_DAYS_SECURITY: "400", RETENTION_MIN_DAYS_OPERATIONAL: "10" });
    expect(raised.groups.security.min).toBe(400);
    expect(raised.groups.operational.min).toBe(30);
    expect(defaultDays("auth", raised)).toBe(400);
    expect(effectiveDays("auth", 200, raised)).toBe(400);
    expect(effectiveDays("auth", 500, raised)).toBe(500);
    expect(effectiveDays("auth", null, raised)).toBe(400);
    expect(() => retentionBounds({ RETENTION_MIN_DAYS_SECURITY: "a year" })).toThrow(/RETENTION_MIN_DAYS_SECURITY/);
    expect(() => retentionBounds({ RETENTION_MIN_DAYS_OPERATIONAL: "4000" })).toThrow(/RETENTION_MIN_DAYS_OPERATIONAL/);
  });

  it("counts a year as 365.25 days, so 7 years is the default 2,557 days", () => {
    expect(yearsToDays(7)).toBe(2557);
    expect(daysAsWholeYears(2557)).toBe(7);
    expect(daysAsWholeYears(2556)).toBeNull();
  });

  it("reads RETENTION_SCHEDULE", () => {
    expect(parseRetentionSchedule(undefined)).toBeNull();
    expect(parseRetentionSchedule("off")).toBeNull();
    expect(parseRetentionSchedule("hourly")).toBe(3_600_000);
    expect(parseRetentionSchedule("30m")).toBe(1_800_000);
    expect(parseRetentionSchedule("6h")).toBe(21_600_000);
    expect(() => parseRetentionSchedule("sometimes")).toThrow(/RETENTION_SCHEDULE/);
  });
});
