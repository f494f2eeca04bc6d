/**
 * Wall-clock arithmetic in a time zone, for the retention buckets: which hour, day, ISO week,
 * month and year an instant falls in there, and restic's `AddDate` (calendar subtraction, Go's
 * normalisation). Built on Intl only: no clock, no npm package.
 */

/** The wall clock of an instant in a zone. `month` is 1..12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A function from an instant (ms since epoch) to its wall clock in one zone. */
export type WallClockOf = (ms: number) => WallClock;

/**
 * The wall clock of `tz` (an IANA name such as "Europe/Berlin", or "UTC"). Throws RangeError for
 * an unknown zone. One formatter is built per call, so callers make one per run, not per item.
 */
export function wallClockIn(tz: string): WallClockOf {
  if (tz === 'UTC' || tz === 'Etc/UTC') {
    return (ms) => {
      const d = new Date(ms);
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
    };
  }
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: tz,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (ms) => {
    const f: Record<string, string> = {};
    for (const p of format.formatToParts(new Date(ms))) f[p.type] = p.value;
    const year = Number(f.year);
    return {
      year: f.era === 'BC' || f.era === 'B' ? 1 - year : year,
      month: Number(f.month),
      day: Number(f.day),
      hour: Number(f.hour),
      minute: Number(f.minute),
      second: Number(f.second),
    };
  };
}

/** Date.UTC without its two-digit-year quirk (years 0..99 are not 1900..1999 here). */
function utcMs(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month0, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** ISO 8601 week of a calendar date, as restic's bucket uses it (Go's ISOWeek): year*100 + week. */
export function isoWeekKey(year: number, month: number, day: number): number {
  const date = new Date(utcMs(year, month - 1, day));
  // The week belongs to the year of its Thursday.
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  date.setUTCDate(date.getUTCDate() - weekday + 3);
  const isoYear = date.getUTCFullYear();
  const firstThursday = new Date(utcMs(isoYear, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((date.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return isoYear * 100 + week;
}

/** How far a zone's wall clock is ahead of UTC at an instant, in ms (whole seconds). */
function offsetAt(wall: WallClockOf, ms: number): number {
  const w = wall(ms);
  const asUtc = utcMs(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant `years`, `months` and `days` of calendar before `ms` in the zone, like Go's
 * `t.AddDate(-years, -months, -days)`: the wall clock is moved, overflow normalised (31 March
 * minus one month is 3 March), and read back in the zone. A wall time that a DST change skips or
 * repeats resolves as Go's `time.Date` does (the offset in force just before the guess).
 */
export function subtractCalendar(wall: WallClockOf, ms: number, years: number, months: number, days: number): number {
  const w = wall(ms);
  const subSecond = ((ms % 1000) + 1000) % 1000;
  const target = utcMs(w.year - years, w.month - 1 - months, w.day - days, w.hour, w.minute, w.second) + subSecond;
  // Go: take the offset at the wall time read as UTC; if the instant that gives lies outside that
  // offset's period, take the offset at that instant instead. Both cases: the offset at the guess.
  const guess = target - offsetAt(wall, target);
  return target - offsetAt(wall, guess);
}
