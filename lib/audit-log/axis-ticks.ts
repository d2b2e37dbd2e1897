import { wallClock } from "./dates";
import { DAY, HOUR, MINUTE } from "./insight-buckets";

/*
 * The histogram's axis labels. Recharts labels every n-th bar, so hourly bars over a week read
 * "Dec 1, Dec 1, Dec 2, Dec 2…" with the time cut off, or times without their day. Here the
 * ticks fall on round times of the reader's clock (00:00, 06:00, midnight every other day…), at
 * most `maxTicks` of them, and a day is named once: at its first tick.
 */

/** Tick spacings, smallest first: each a round step of a wall clock or a calendar. */
const STEPS = [
  MINUTE,
  5 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  30 * DAY,
  90 * DAY,
] as const;

export interface AxisTick {
  startMs: number;
  label: string;
}

interface Local {
  /** Days since 1970-01-01 of the local date: calendar steps count from it. */
  dayNumber: number;
  minuteOfDay: number;
  dayLabel: string;
  timeLabel: string;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;
const pad = (n: number) => String(n).padStart(2, "0");

/*
 * The bar's wall clock as the table's times read theirs (wallClock), not a TZDate per bar: in a
 * profile of the explorer, axisTicks was about 2 ms of each page (a week of hourly bars is 168).
 */
function local(ms: number, tz: string): Local {
  const wall = wallClock(ms, tz);
  return {
    dayNumber: Math.floor(wall.getTime() / DAY),
    minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    dayLabel: `${MONTHS[wall.getUTCMonth()]} ${wall.getUTCDate()}`,
    timeLabel: `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`,
  };
}

function stepFor(spanMs: number, sizeMs: number, maxTicks: number): number {
  return (
    STEPS.find((step) => step >= sizeMs && step % sizeMs === 0 && spanMs / step <= maxTicks) ?? STEPS[STEPS.length - 1]!
  );
}

/** Whether the i-th bar, starting at this local time, begins a round step of the reader's clock. */
function onStep(i: number, at: Local, previous: Local | null, step: number, sizeMs: number): boolean {
  if (step < DAY) return (at.minuteOfDay * MINUTE) % step === 0;
  // Bars of a day or more each start a day already: every n-th one.
  if (sizeMs >= DAY) return i % (step / sizeMs) === 0;
  // Calendar steps: the first bar of a local day (midnight moves by an hour across a DST change).
  const startsDay = previous === null ? at.minuteOfDay === 0 : previous.dayNumber !== at.dayNumber;
  return startsDay && at.dayNumber % (step / DAY) === 0;
}

/**
 * The ticks for bars starting at `starts` (ascending, `sizeMs` apart) in the reader's zone. Day
 * steps say "Dec 3"; shorter ones say "14:00", with the day ("Dec 3" at midnight, "Dec 3, 14:05"
 * elsewhere) on the first tick of each day. Where no bar starts on a round time (a zone whose offset
 * is not a whole hour against hourly bars), every n-th bar is labelled in full.
 */
export function axisTicks(starts: readonly number[], sizeMs: number, tz: string, maxTicks: number): AxisTick[] {
  if (starts.length === 0) return [];
  const spanMs = starts[starts.length - 1]! + sizeMs - starts[0]!;
  const step = stepFor(spanMs, sizeMs, Math.max(1, maxTicks));
  const locals = starts.map((ms) => local(ms, tz));
  const ticks: AxisTick[] = [];
  let lastDay: number | null = null;
  locals.forEach((at, i) => {
    if (!onStep(i, at, i === 0 ? null : locals[i - 1]!, step, sizeMs)) return;
    const newDay = at.dayNumber !== lastDay;
    lastDay = at.dayNumber;
    const label =
      step >= DAY || (newDay && at.minuteOfDay === 0)
        ? at.dayLabel
        : newDay
          ? `${at.dayLabel}, ${at.timeLabel}`
          : at.timeLabel;
    ticks.push({ startMs: starts[i]!, label });
  });
  if (ticks.length >= 2 || starts.length < 2) return ticks;
  const every = Math.max(1, Math.ceil(starts.length / Math.max(1, maxTicks)));
  return starts
    .filter((_, i) => i % every === 0)
    .map((ms) => {
      const at = local(ms, tz);
      return { startMs: ms, label: sizeMs >= DAY ? at.dayLabel : `${at.dayLabel}, ${at.timeLabel}` };
    });
}
