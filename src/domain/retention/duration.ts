/**
 * `keep_within` durations, restic-like: one or more `<integer><unit>` pairs, units in the order
 * y (years), m (months), w (weeks), d (days), h (hours), each at most once: "14d", "6h", "1y2m",
 * "2w3d". Years, months, weeks and days are calendar steps in the policy's time zone; hours are
 * absolute. A duration of zero ("0d") means the rule is off.
 */
import { subtractCalendar, type WallClockOf } from './calendar.js';

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
}

/** The grammar, also the settings schema's pattern (so the API, config and CLI refuse the same strings). */
export const DURATION_PATTERN = '^(?=\\d)(\\d{1,5}y)?(\\d{1,5}m)?(\\d{1,5}w)?(\\d{1,5}d)?(\\d{1,6}h)?$';
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** How the grammar is explained in messages and the schema. */
export const DURATION_HINT = 'a duration: integers with units y, m, w, d, h in that order (e.g. "14d", "6h", "1y2m")';

/** Parses a duration; null when `text` does not follow the grammar. */
export function parseDuration(text: string): Duration | null {
  const m = DURATION_RE.exec(text);
  if (!m) return null;
  const n = (s: string | undefined) => (s === undefined ? 0 : Number.parseInt(s, 10));
  return { years: n(m[1]), months: n(m[2]), weeks: n(m[3]), days: n(m[4]), hours: n(m[5]) };
}

/** True for a duration of zero (the rule is off). */
export function isZeroDuration(d: Duration): boolean {
  return d.years + d.months + d.weeks + d.days + d.hours === 0;
}

/** The canonical spelling: "1y2m", "14d"; zero parts left out. */
export function formatDuration(d: Duration): string {
  const parts: [number, string][] = [[d.years, 'y'], [d.months, 'm'], [d.weeks, 'w'], [d.days, 'd'], [d.hours, 'h']];
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('') || '0h';
}

/**
 * The instant `d` before `ms`, as restic computes keep-within's limit:
 * `latest.AddDate(-y, -m, -d).Add(-h hours)` (weeks are 7 days), the calendar part in the zone.
 */
export function subtractDuration(wall: WallClockOf, ms: number, d: Duration): number {
  return subtractCalendar(wall, ms, d.years, d.months, d.weeks * 7 + d.days) - d.hours * 3_600_000;
}

/** A rough length in ms, only to compare two durations (the longer keeps more). */
export function approximateMs(d: Duration): number {
  return ((d.years * 365.25 + d.months * 30.44 + d.weeks * 7 + d.days) * 24 + d.hours) * 3_600_000;
}
