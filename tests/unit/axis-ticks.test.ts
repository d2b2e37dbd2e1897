import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { axisTicks } from "@/lib/audit-log/axis-ticks";
import { bucketPlan } from "@/lib/audit-log/insight-buckets";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The bar starts the histogram draws for a period ending now. */
function starts(fromIso: string, toIso: string, tz: string): { starts: number[]; sizeMs: number } {
  const plan = bucketPlan({ from: fromIso, to: toIso }, tz, Date.parse(toIso));
  const out: number[] = [];
  for (let at = plan.fromMs; at < plan.toMs; at += plan.sizeMs) out.push(at);
  return { starts: out, sizeMs: plan.sizeMs };
}

describe("axisTicks", () => {
  it("names each day once over seven days of hourly bars, at the reader's midnight", () => {
    for (const tz of ["UTC", "America/Los_Angeles", "Asia/Tokyo"]) {
      const bars = starts("2026-11-26T00:00:00Z", "2026-12-03T00:00:00Z", tz);
      expect(bars.sizeMs).toBe(HOUR);
      const ticks = axisTicks(bars.starts, bars.sizeMs, tz, 10);
      expect(ticks.length).toBeGreaterThanOrEqual(4);
      expect(ticks.length).toBeLessThanOrEqual(10);
      const labels = ticks.map((t) => t.label);
      expect(new Set(labels).size).toBe(labels.length);
      for (const tick of ticks) {
        const time = new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit" }).format(
          tick.startMs,
        );
        expect(time).toBe("00:00");
      }
    }
  });

  it("gives times within a day and the day on its first tick", () => {
    const bars = starts("2026-12-02T21:00:00Z", "2026-12-03T21:00:00Z", "UTC");
    expect(bars.sizeMs).toBe(15 * MINUTE);
    const labels = axisTicks(bars.starts, bars.sizeMs, "UTC", 10).map((t) => t.label);
    expect(labels[0]).toBe("Dec 2, 21:00");
    expect(labels).toContain("Dec 3");
    expect(labels.filter((l) => l.startsWith("Dec")).length).toBe(2);
    expect(labels.slice(1).filter((l) => /^\d\d:\d\d$/.test(l)).length).toBe(labels.length - 2);
  });

  it("follows the wall clock across a daylight-saving change", () => {
    // Los Angeles falls back on 2026-11-01: that day has 25 hours.
    const tz = "America/Los_Angeles";
    const bars = starts("2026-10-30T07:00:00Z", "2026-11-03T08:00:00Z", tz);
    const ticks = axisTicks(bars.starts, bars.sizeMs, tz, 10);
    const local = (ms: number) =>
      new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit" }).format(ms);
    for (const tick of ticks) expect(Number(local(tick.startMs).slice(0, 2)) % 12).toBe(0);
    expect(ticks.map((t) => t.label)).toContain("Nov 2");
  });

  it("labels every n-th bar in full when no bar starts on a round time", () => {
    // Kathmandu is UTC+05:45: hourly bars from a UTC hour never start on a round hour there.
    const hourly = Array.from({ length: 48 }, (_, i) => Date.parse("2026-12-01T00:00:00Z") + i * HOUR);
    const ticks = axisTicks(hourly, HOUR, "Asia/Kathmandu", 8);
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks[0]!.label).toBe("Dec 1, 05:45");
  });

  it("keeps to maxTicks for long periods of day bars", () => {
    const daily = Array.from({ length: 120 }, (_, i) => Date.parse("2026-08-01T00:00:00Z") + i * DAY);
    const ticks = axisTicks(daily, DAY, "UTC", 6);
    expect(ticks.length).toBeLessThanOrEqual(6);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    expect(ticks.every((t) => /^[A-Z][a-z]{2} \d{1,2}$/.test(t.label))).toBe(true);
  });

  it("writes each label as the reader's clock reads at its bar, in zones with daylight saving and odd offsets", () => {
    // The labels come from the instant moved by the zone's offset; Intl's own wall clock is the oracle.
    const zones = [
      "UTC",
      "Europe/Paris",
      "America/New_York",
      "Asia/Kathmandu",
      "Australia/Lord_Howe",
      "Pacific/Chatham",
    ];
    const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    const wall = (ms: number, tz: string) => {
      const parts = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        month: "numeric",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).formatToParts(ms);
      const part = (type: string) => parts.find((p) => p.type === type)!.value;
      return {
        day: `${months[Number(part("month")) - 1]} ${Number(part("day"))}`,
        time: `${part("hour")}:${part("minute")}`,
      };
    };
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom(HOUR, 15 * MINUTE, DAY),
        fc.constantFrom(...zones),
        (startMs, sizeMs, tz) => {
          const bars = Array.from({ length: 96 }, (_, i) => Math.floor(startMs / sizeMs) * sizeMs + i * sizeMs);
          for (const tick of axisTicks(bars, sizeMs, tz, 10)) {
            const at = wall(tick.startMs, tz);
            expect([at.day, at.time, `${at.day}, ${at.time}`]).toContain(tick.label);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("answers nothing for no bars", () => {
    expect(axisTicks([], HOUR, "UTC", 6)).toEqual([]);
  });
});
