/**
 * "Older than the cutoff" in SQL, exactly as timestamps.ts reads a value, so a batch's age test
 * runs inside SQLite instead of once per row in JS.
 *
 * Every stored value goes through one CASE:
 * - INTEGER: unix seconds below MS_THRESHOLD, milliseconds from it on, unreadable below
 *   MIN_SECONDS or past the last date JS can hold: plain integer arithmetic;
 * - TEXT in the column's own shape (detected per database from a sample of its values, e.g.
 *   `2026-02-07 19:07:36` or `2026-02-07T19:07:36.123456Z`), valid and canonical: compared as
 *   text with the cutoff written in that same shape (same length, separator, fraction digits and
 *   zone, so text order is time order), and read with unixepoch();
 * - anything else (REAL, another text shape, a zone offset, NULL…): the JS reader itself
 *   (open.ts TS_FUNCTION), so nothing is read differently, only more slowly.
 * A value the reader cannot read is never older: its row is kept, and counted by the caller.
 */
import { MIN_SECONDS, MS_THRESHOLD, parseTimestamp } from './timestamps.js';
import { type Db, quoteIdent, TS_FUNCTION } from './open.js';

/** The last millisecond JS dates hold (new Date(8.64e15)); parseTimestamp reads nothing past it. */
const MAX_MS = 8.64e15;

/** One text shape: `YYYY-MM-DD<sep>HH:MM:SS[.<digits>]<zone>`. */
export interface TextShape {
  sep: ' ' | 'T';
  /** Fraction digits, 0 (none) to 9. */
  digits: number;
  zone: '' | 'Z' | '+00:00';
}

/** The SQL of a category's age test over one column, and the named parameters it needs. */
export interface AgeSql {
  /** True when the value is readable and older than the cutoff; false (never NULL) otherwise. */
  older: string;
  /** True when the value is older or cannot be read (the rows a batch plan looks at). */
  olderOrUnreadable: string;
  /** The value in ms since the epoch, NULL when unreadable. */
  ms: string;
  /** `@age_cutoff_ms` and, with a text shape, `@age_cutoff_text`. */
  params: Record<string, number | string>;
  /** The text shape given the fast path, or null (integers only). */
  shape: TextShape | null;
}

const SHAPE_RE = /^\d{4}-\d{2}-\d{2}([T ])\d{2}:\d{2}:\d{2}(?:\.(\d{1,9}))?(Z|\+00:00)?$/;

/** The shape of one stored value, or null when it has none of the fast shapes (or cannot be read). */
export function textShapeOf(value: unknown): TextShape | null {
  if (typeof value !== 'string') return null;
  const m = SHAPE_RE.exec(value);
  if (!m || parseTimestamp(value) === null) return null;
  return { sep: m[1] as TextShape['sep'], digits: m[2]?.length ?? 0, zone: (m[3] ?? '') as TextShape['zone'] };
}

/**
 * The most common text shape among up to 64 values spread over the table's rowids (a few
 * index probes, whatever the table's size); null when no sampled value has one.
 */
export function detectTextShape(db: Db, table: string, column: string, rowidName: string): TextShape | null {
  const q = `main.${quoteIdent(table)}`;
  // Two subqueries: SQLite answers a lone min() or max() of the rowid from the b-tree's ends,
  // but `SELECT min(x), max(x)` scans the whole table (~190 ms at 2M rows, on the event loop).
  const bounds = db.prepare(`SELECT (SELECT min(${rowidName}) FROM ${q}) AS lo, (SELECT max(${rowidName}) FROM ${q}) AS hi`).safeIntegers(true).get() as {
    lo: bigint | null;
    hi: bigint | null;
  };
  if (bounds.lo === null || bounds.hi === null) return null;
  const sample = db.prepare(`SELECT ${quoteIdent(column)} FROM ${q} WHERE ${rowidName} >= ? ORDER BY ${rowidName} LIMIT 8`).pluck();
  const counts = new Map<string, { shape: TextShape; n: number }>();
  const span = bounds.hi - bounds.lo;
  for (let i = 0n; i < 8n; i++) {
    for (const value of sample.all(bounds.lo + (span * i) / 8n)) {
      const shape = textShapeOf(value);
      if (!shape) continue;
      const key = JSON.stringify(shape);
      const seen = counts.get(key) ?? { shape, n: 0 };
      seen.n++;
      counts.set(key, seen);
    }
  }
  let best: { shape: TextShape; n: number } | null = null;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best?.shape ?? null;
}

/**
 * The age test for column `col` (an SQL expression, e.g. `s."completed_at"`) against `cutoffMs`
 * (a value is older when its ms < cutoffMs), with `shape` given the text fast path.
 */
export function ageSql(col: string, cutoffMs: number, shape: TextShape | null): AgeSql {
  const cm = '@age_cutoff_ms';
  const intOk = `${col} >= ${MIN_SECONDS} AND ${col} <= ${MAX_MS}`;
  const intMs = `(CASE WHEN ${col} >= ${MS_THRESHOLD} THEN ${col} ELSE ${col} * 1000 END)`;
  const js = `${TS_FUNCTION}(${col})`;
  const params: Record<string, number | string> = { age_cutoff_ms: cutoffMs };
  const cutText = shape ? cutoffText(cutoffMs, shape) : null;
  const fast = shape && cutText !== null ? textFastSql(col, shape) : null;
  if (shape && cutText !== null) params.age_cutoff_text = cutText;
  const text = (whenFast: string) => (fast ? ` WHEN ${fast} THEN ${whenFast}` : '');
  const cmpText = `${col} < @age_cutoff_text COLLATE BINARY`;
  // NULL is never readable: its own branch spares a call into JS per row without an age.
  const head = (int: string, isNull: string) => `CASE WHEN typeof(${col}) = 'integer' THEN ${int} WHEN ${col} IS NULL THEN ${isNull}`;
  return {
    older: `(${head(`(${intOk} AND ${intMs} < ${cm})`, '0')}${text(cmpText)} ELSE ifnull(${js} < ${cm}, 0) END)`,
    olderOrUnreadable: `(${head(`(NOT (${intOk}) OR ${intMs} < ${cm})`, '1')}${text(cmpText)} ELSE ifnull(${js} < ${cm}, 1) END)`,
    ms: `(${head(`(CASE WHEN ${intOk} THEN ${intMs} END)`, 'NULL')}${text(fast && shape ? textMsSql(col, shape) : '')} ELSE ${js} END)`,
    params,
    shape: fast ? shape : null,
  };
}

/**
 * SQL true when `col` is text in exactly `shape`, is a real date and time as timestamps.ts reads
 * it, and its year is one JS reads as written (from 0100). datetime() reads the value and writes
 * its date and time back as `YYYY-MM-DD HH:MM:SS`: the same text means the value is in that
 * shape and is a real date (no February 30th: SQLite would move it to March). SQLite accepts hour
 * 24, the JS reader does not. Measured cheaper than strftime() or GLOB on the whole value.
 */
function textFastSql(col: string, shape: TextShape): string {
  const year = `${col} >= '0100' COLLATE BINARY AND substr(${col}, 12, 2) < '24'`;
  if (shape.sep === ' ' && shape.digits === 0 && shape.zone === '') {
    return `(typeof(${col}) = 'text' AND datetime(${col}) = ${col} COLLATE BINARY AND ${year})`;
  }
  const d = '[0-9]';
  const tail = `${shape.digits > 0 ? `.${d.repeat(shape.digits)}` : ''}${shape.zone}`;
  const length = 19 + (shape.digits > 0 ? 1 + shape.digits : 0) + shape.zone.length;
  const head = `substr(${col}, 1, 10) || ' ' || substr(${col}, 12, 8)`;
  const suffix = tail === '' ? '' : ` AND substr(${col}, 20) GLOB '${tail}'`;
  return (
    `(typeof(${col}) = 'text' AND length(${col}) = ${length} AND substr(${col}, 11, 1) = '${shape.sep}'${suffix}` +
    ` AND datetime(${col}) = ${head} COLLATE BINARY AND ${year})`
  );
}

/** ms since the epoch of a value in `shape` (zone Z or +00:00 is UTC, like no zone): whole seconds plus the first 3 fraction digits. */
function textMsSql(col: string, shape: TextShape): string {
  // Whole seconds: unixepoch() of a fraction rounds toward zero, which is a second late before 1970.
  if (shape.digits === 0) return `(unixepoch(${col}) * 1000)`;
  const seconds = `unixepoch(substr(${col}, 1, 19)) * 1000`;
  const used = Math.min(3, shape.digits);
  return `(${seconds} + CAST(substr(${col}, 21, ${used}) AS INTEGER) * ${10 ** (3 - used)})`;
}

/**
 * The cutoff written in `shape`, such that for every value v in that shape, v < text exactly when
 * parseTimestamp(v) < cutoffMs: values in a shape with fewer than 3 fraction digits are whole
 * multiples of 1000, 100 or 10 ms, so the cutoff is rounded up to the next multiple; digits past
 * the third are not read, so they are zeros. Null when the cutoff's year has no 4-digit form.
 */
export function cutoffText(cutoffMs: number, shape: TextShape): string | null {
  const unit = 10 ** (3 - Math.min(3, shape.digits));
  const ms = Math.ceil(cutoffMs / unit) * unit;
  const date = new Date(ms);
  if (!Number.isFinite(date.getTime()) || date.getUTCFullYear() < 100 || date.getUTCFullYear() > 9999) return null;
  const iso = date.toISOString(); // 2026-02-07T19:07:36.123Z
  const fraction = shape.digits > 0 ? `.${iso.slice(20, 20 + Math.min(3, shape.digits)).padEnd(shape.digits, '0')}` : '';
  return `${iso.slice(0, 10)}${shape.sep}${iso.slice(11, 19)}${fraction}${shape.zone}`;
}
