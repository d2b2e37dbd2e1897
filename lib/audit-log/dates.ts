import { TZDate, tzOffset } from "@date-fns/tz";
import { addDays, startOfDay } from "date-fns";

/*
 * The one date grammar of the console, for the explorer's `from`/`to` and the search language's
 * `created:`: a calendar date (YYYY-MM-DD), optionally with a time of day (HH:MM, seconds and a
 * fraction optional, after `T`, `t` or a space) and optionally an offset (`Z`, `+02:00`, `+0200`).
 * A date, or a time without an offset, is read in the reader's time zone. Arithmetic on days is
 * done in that zone with date-fns and @date-fns/tz, so a day across a daylight-saving change has
 * its real length. Pure: the search bar and the filter panel use it too.
 */

export const DEFAULT_TIME_ZONE = "UTC";

export const DATE_FORMAT_HINT = "use YYYY-MM-DD or an ISO date-time such as 2026-01-01T09:30:00Z";

const DATE = /^(\d{4})-(\d{2})-(\d{2})(.*)$/s;
// A `+` in a URL that was not encoded arrives as a space, so a space before the offset stands for `+`.
const TIME = /^[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+\- ])(\d{2}):?(\d{2}))?$/s;

/** A date text as read: its calendar day, and when it has one, its time and offset. */
export interface DateText {
  year: number;
  month: number;
  day: number;
  time: { hour: number; minute: number; second: number; millisecond: number } | null;
  /** Minutes east of UTC; null when the text names none (the reader's zone applies). */
  offsetMinutes: number | null;
}

export type DateTextResult = { ok: true; value: DateText } | { ok: false; reason: string };

export function isTimeZone(value: string): boolean {
  return value.length > 0 && value.length <= 64 && Number.isFinite(tzOffset(value, new Date(0)));
}

/**
 * The instant's wall-clock time in the zone, as a Date whose UTC fields read it (getUTCHours() is
 * the hour on the reader's clock). Cheaper than a TZDate where a page reads many instants: 1.5-1.8
 * against 3.7-4.5 µs per instant in a loop (docs/performance.md).
 */
export function wallClock(ms: number, timeZone: string): Date {
  return new Date(ms + tzOffset(timeZone, new Date(ms)) * 60_000);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Reads the grammar; the reason says what is wrong in the reader's words. */
export function readDateText(text: string): DateTextResult {
  const date = DATE.exec(text);
  if (!date) return { ok: false, reason: DATE_FORMAT_HINT };
  const [, y = "", mo = "", d = "", rest = ""] = date;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return { ok: false, reason: `${y}-${mo}-${d} is not a calendar date` };
  }
  if (rest === "") return { ok: true, value: { year, month, day, time: null, offsetMinutes: null } };
  const time = TIME.exec(rest);
  if (!time) return { ok: false, reason: DATE_FORMAT_HINT };
  const [, h = "", mi = "", s = "00", fraction = "", zulu, sign, oh = "", om = ""] = time;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return { ok: false, reason: `${h}:${mi}:${s} is not a time of day` };
  }
  let offsetMinutes: number | null = null;
  if (zulu !== undefined) offsetMinutes = 0;
  else if (sign !== undefined) {
    const shown = `${sign === "-" ? "-" : "+"}${oh}:${om}`;
    if (Number(oh) > 23 || Number(om) > 59) return { ok: false, reason: `${shown} is not a UTC offset` };
    offsetMinutes = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  // Stored times have millisecond precision; finer digits are dropped rather than rounded up.
  const millisecond = Number(fraction.slice(0, 3).padEnd(3, "0"));
  return {
    ok: true,
    value: {
      year,
      month,
      day,
      time: { hour: Number(h), minute: Number(mi), second: Number(s), millisecond },
      offsetMinutes,
    },
  };
}

/** The wall-clock time in the zone as an instant. setFullYear keeps years below 100 as written. */
function zoned(timeZone: string, year: number, month: number, day: number, time: DateText["time"]): TZDate {
  const date = TZDate.tz(timeZone);
  date.setFullYear(year, month - 1, day);
  date.setHours(time?.hour ?? 0, time?.minute ?? 0, time?.second ?? 0, time?.millisecond ?? 0);
  return date;
}

/** The instant the text names: for a bare date, the start of that day in the zone. */
export function instantOf(text: DateText, timeZone: string): number {
  if (text.time !== null && text.offsetMinutes !== null) {
    return zoned("UTC", text.year, text.month, text.day, text.time).getTime() - text.offsetMinutes * 60_000;
  }
  return zoned(timeZone, text.year, text.month, text.day, text.time).getTime();
}

/**
 * The first instant after what the text names, for inclusive ends: a bare date includes its whole
 * day (up to the next day's start in the zone); a date-time includes that millisecond.
 */
export function endAfter(text: DateText, timeZone: string): number {
  if (text.time !== null) return instantOf(text, timeZone) + 1;
  return addDays(zoned(timeZone, text.year, text.month, text.day, null), 1).getTime();
}

/** [start of the day, start of the next day) in the zone, for the day that `at` falls on there. */
export function dayAround(at: number, timeZone: string): { from: number; to: number } {
  const start = startOfDay(new TZDate(at, timeZone));
  return { from: start.getTime(), to: addDays(start, 1).getTime() };
}

/** Whether the instant is the start of a day in the zone (then a bare date says it). */
export function isStartOfDay(ms: number, timeZone: string): boolean {
  return startOfDay(new TZDate(ms, timeZone)).getTime() === ms;
}

/** YYYY-MM-DD of the instant's day in the zone. */
export function dayText(ms: number, timeZone: string): string {
  const d = new TZDate(ms, timeZone);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The next day's start in the zone after a day's start. */
export function nextDayStart(dayStartMs: number, timeZone: string): number {
  return addDays(new TZDate(dayStartMs, timeZone), 1).getTime();
}

/** The previous day's start in the zone before a day's start. */
export function previousDayStart(dayStartMs: number, timeZone: string): number {
  return addDays(new TZDate(dayStartMs, timeZone), -1).getTime();
}
