/*
 * Wall-clock times in a zone, computed in the test with Intl alone, so a test does not check the
 * console's date code with that same code.
 */

/** `YYYY-MM-DD HH:MM:SS` in the zone, as the console writes it (Sweden's format is ISO's). */
export function wallClock(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

/** The day and the minute in the zone, as the date and time inputs take them. */
export function wallClockInputs(iso: string, timeZone: string): { day: string; time: string } {
  const text = wallClock(iso, timeZone);
  return { day: text.slice(0, 10), time: text.slice(11, 16) };
}

/** The instant of a wall-clock time in the zone (searching the offset in quarter hours). */
export function instantIn(day: string, time: string, timeZone: string): string {
  const asUtc = Date.parse(`${day}T${time}:00.000Z`);
  for (let offsetMin = -14 * 60; offsetMin <= 14 * 60; offsetMin += 15) {
    const candidate = new Date(asUtc - offsetMin * 60_000).toISOString();
    if (wallClock(candidate, timeZone) === `${day} ${time}:00`) return candidate;
  }
  throw new Error(`no instant for ${day} ${time} in ${timeZone}`);
}
