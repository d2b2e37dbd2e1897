import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDateTimeIn, formatUtcDateTime } from "@/components/time/local-time";

// Zones with daylight-saving changes, half- and quarter-hour offsets, a 30-minute DST shift
// (Lord Howe) and one that crossed the date line (Apia, 2011-12-30 never happened there).
const ZONES = [
  "UTC",
  "Europe/Paris",
  "America/New_York",
  "America/St_Johns",
  "Asia/Kolkata",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Pacific/Apia",
] as const;

const byDateFns = (ms: number, zone: string) => format(new TZDate(ms, zone), "yyyy-MM-dd HH:mm:ss");

describe("formatDateTimeIn", () => {
  it("writes what date-fns' format() of a TZDate writes, for any instant since 2000 in any of the zones", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.constantFrom(...ZONES),
        (ms, zone) => {
          expect(formatDateTimeIn(new Date(ms).toISOString(), zone)).toBe(byDateFns(ms, zone));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it("agrees on both sides of each daylight-saving change, second by second", () => {
    // Paris springs forward at 01:00 UTC on 2026-03-29 and falls back at 01:00 UTC on 2026-10-25;
    // Lord Howe moves by 30 minutes at 15:00 UTC on 2026-04-04.
    for (const [zone, at] of [
      ["Europe/Paris", Date.UTC(2026, 2, 29, 1)],
      ["Europe/Paris", Date.UTC(2026, 9, 25, 1)],
      ["Australia/Lord_Howe", Date.UTC(2026, 3, 4, 15)],
    ] as const) {
      for (let ms = at - 3_000; ms <= at + 3_000; ms += 1_000) {
        expect(formatDateTimeIn(new Date(ms).toISOString(), zone)).toBe(byDateFns(ms, zone));
      }
    }
    expect(formatDateTimeIn("2026-10-25T00:59:59.000Z", "Europe/Paris")).toBe("2026-10-25 02:59:59");
    expect(formatDateTimeIn("2026-10-25T01:00:00.000Z", "Europe/Paris")).toBe("2026-10-25 02:00:00");
  });

  it("writes UTC from the ISO form and leaves text that is not a time as it is", () => {
    expect(formatUtcDateTime("2026-12-07T15:04:05.678Z")).toBe("2026-12-07 15:04:05");
    expect(formatDateTimeIn("not a time", "Europe/Paris")).toBe("not a time");
  });
});
