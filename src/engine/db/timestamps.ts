/**
 * Timestamps as the dashboard has stored them over the years, read and written.
 * Pure: no database, no clock. Formats are rows in TEXT_FORMATS / the numeric rule below.
 *
 * Numbers (INTEGER or REAL, or digit-only text) are unix seconds below MS_THRESHOLD and unix
 * milliseconds from it on. 1e11 is where the two readings part ways: 1e11 s is the year 5138,
 * 1e11 ms is 1973-03-03, so no real timestamp is ambiguous. Numbers below MIN_SECONDS (1e8 s,
 * also 1973-03-03) are not read at all: 0, small counters and Julian day numbers (~2.46e6) are
 * far likelier than a 1972 timestamp, and misreading them would make a row look ancient.
 */

/** Numbers at or above this are unix milliseconds; below it, unix seconds. */
export const MS_THRESHOLD = 1e11;
/** Numbers below this (as seconds) cannot be read as a timestamp. */
export const MIN_SECONDS = 1e8;

export type TimestampFormat = 'iso' | 'sqlite' | 'unix-s' | 'unix-ms';

/**
 * ISO-8601 and SQLite CURRENT_TIMESTAMP text: date, `T` or space, time with optional seconds and
 * fraction, optional zone (`Z`, `+HH:MM`, `+HHMM`, `+HH`). No zone means UTC. A date alone is midnight UTC.
 */
const TEXT_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:([Tt ])(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Parses one stored value to ms since epoch (UTC), or null when it cannot be read. Never throws. */
export function parseTimestamp(value: unknown): number | null {
  if (typeof value === 'bigint') return parseNumber(Number(value));
  if (typeof value === 'number') return parseNumber(value);
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseNumber(Number(text));
  return parseText(text);
}

/** Which format a stored value is in (to write new values the way existing rows are written). */
export function timestampFormatOf(value: unknown): TimestampFormat | null {
  if (parseTimestamp(value) === null) return null;
  const n = typeof value === 'string' ? Number(value.trim()) : Number(value);
  if (typeof value !== 'string' || Number.isFinite(n)) return n >= MS_THRESHOLD ? 'unix-ms' : 'unix-s';
  return /^\d{4}-\d{2}-\d{2}[Tt]/.test(value.trim()) ? 'iso' : 'sqlite';
}

/**
 * Formats `ms` like `sample` (an existing value of the same column): same format, and for text
 * the same fraction and zone style. Without a readable sample: ISO-8601 UTC with `Z`.
 */
export function formatTimestampLike(sample: unknown, ms: number): string | number {
  const format = timestampFormatOf(sample);
  if (format === 'unix-s') return Math.floor(ms / 1000);
  if (format === 'unix-ms') return Math.floor(ms);
  const iso = new Date(ms).toISOString(); // 2026-02-07T19:07:36.123Z
  if (format === null || typeof sample !== 'string') return iso.replace(/\.\d{3}Z$/, 'Z');
  const s = sample.trim();
  const m = TEXT_RE.exec(s);
  const fraction = m?.[8] !== undefined ? iso.slice(19, 23) : '';
  const zone = m?.[9] === undefined ? '' : /^[Zz]$/.test(m[9]) ? 'Z' : '+00:00';
  const sep = format === 'sqlite' ? ' ' : 'T';
  return `${iso.slice(0, 10)}${sep}${iso.slice(11, 19)}${fraction}${zone}`;
}

function parseNumber(n: number): number | null {
  if (!Number.isFinite(n) || n < MIN_SECONDS) return null;
  const ms = n >= MS_THRESHOLD ? n : n * 1000;
  // Whole milliseconds keep planner arithmetic and the SQL re-check exact at the boundary.
  const rounded = Math.round(ms);
  return Number.isFinite(new Date(rounded).getTime()) ? rounded : null;
}

function parseText(text: string): number | null {
  const m = TEXT_RE.exec(text);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[5] ?? 0), Number(m[6] ?? 0), Number(m[7] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls Feb 30 over to March: a date that does not round-trip does not exist.
  if (new Date(base).getUTCDate() !== day) return null;
  const fraction = m[8] === undefined ? 0 : Number(m[8].slice(0, 3).padEnd(3, '0'));
  const offset = parseZone(m[9]);
  if (offset === null) return null;
  return base + fraction - offset;
}

/** Zone offset in ms east of UTC, or null when out of range. */
function parseZone(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return null;
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (hours * 60 + minutes) * 60_000;
}
