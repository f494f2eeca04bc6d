/**
 * The age test in SQL (age-sql.ts) against the JS reader it replaces (timestamps.ts): for every
 * stored value, every text shape the sweep may pick and cutoffs on both sides of the value, SQL
 * says "older" exactly when parseTimestamp reads the value and it is before the cutoff, "older
 * or unreadable" exactly when it is not read or older, and gives the same milliseconds.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ageSql, cutoffText, detectTextShape, type TextShape, textShapeOf } from '../../src/engine/db/age-sql.js';
import { TS_FUNCTION } from '../../src/engine/db/open.js';
import { parseTimestamp } from '../../src/engine/db/timestamps.js';

const db = new Database(':memory:');
db.function(TS_FUNCTION, { deterministic: true }, (v: unknown) => parseTimestamp(v));
db.exec('CREATE TABLE t (c)');
afterAll(() => db.close());

const SHAPES: (TextShape | null)[] = [null];
for (const sep of [' ', 'T'] as const) {
  for (const digits of [0, 1, 2, 3, 6, 9]) for (const zone of ['', 'Z', '+00:00'] as const) SHAPES.push({ sep, digits, zone });
}

const two = (n: number) => String(n).padStart(2, '0');

/** Text near every shape, valid or not: month 00-19, day 00-39, hour 00-29, minute and second 00-69, years from 0000. */
const textValue = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(50, 99, 100, 1969, 1970, 2024, 2026)),
    month: fc.integer({ min: 0, max: 19 }),
    day: fc.integer({ min: 0, max: 39 }),
    hour: fc.integer({ min: 0, max: 29 }),
    minute: fc.integer({ min: 0, max: 69 }),
    second: fc.integer({ min: 0, max: 69 }),
    sep: fc.constantFrom(' ', 'T', 't'),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,10}$/)),
    zone: fc.constantFrom('', '', 'Z', 'z', '+00:00', '+02:00', '-0130', ' Z'),
    tail: fc.constantFrom('', '', '', ' '),
  })
  .map((p) => `${String(p.year).padStart(4, '0')}-${two(p.month)}-${two(p.day)}${p.sep}${two(p.hour)}:${two(p.minute)}:${two(p.second)}${p.fraction}${p.zone}${p.tail}`);

/** Real instants written in one of the shapes (or close to one), most of them read by the fast path. */
const shapedValue = fc
  .record({
    ms: fc.oneof(fc.integer({ min: -58_000_000_000_000, max: 253_402_300_799_999 }), fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 })),
    sep: fc.constantFrom(' ', 'T'),
    digits: fc.constantFrom(0, 0, 1, 2, 3, 4, 6, 9),
    zone: fc.constantFrom('', 'Z', '+00:00'),
    extra: fc.integer({ min: 0, max: 999_999 }),
  })
  .map((p) => {
    const iso = new Date(p.ms).toISOString();
    const fraction = p.digits > 0 ? `.${(iso.slice(20, 23) + String(p.extra).padStart(6, '0')).slice(0, p.digits)}` : '';
    return `${iso.slice(0, 10)}${p.sep}${iso.slice(11, 19)}${fraction}${p.zone}`;
  });

const value = fc.oneof(
  { weight: 6, arbitrary: shapedValue },
  { weight: 4, arbitrary: textValue },
  { weight: 2, arbitrary: fc.oneof(fc.bigInt({ min: -(10n ** 10n), max: 10n ** 17n }), fc.constantFrom(0n, 99_999_999n, 100_000_000n, 99_999_999_999n, 100_000_000_000n, 8_640_000_000_000_000n, 8_640_000_000_000_001n)) },
  { weight: 1, arbitrary: fc.oneof(fc.double({ min: -1e9, max: 1e16, noNaN: true }), fc.constant(null), fc.constantFrom('1700000000', '2026-01-01', 'now', '', '2026-01-01 10:00')) },
);

/** What SQL says about `v` with `shape` and `cutoff`. */
function sqlSays(v: unknown, shape: TextShape | null, cutoff: number) {
  db.exec('DELETE FROM t');
  db.prepare('INSERT INTO t (c) VALUES (?)').run(v as never);
  const age = ageSql('s.c', cutoff, shape);
  const row = db.prepare(`SELECT ${age.older} AS older, ${age.olderOrUnreadable} AS either, ${age.ms} AS ms FROM t AS s`).get(age.params) as {
    older: number;
    either: number;
    ms: number | null;
  };
  return { older: row.older === 1, either: row.either === 1, ms: row.ms === null ? null : Number(row.ms) };
}

describe('age-sql: older than the cutoff, in SQL', () => {
  it('agrees with parseTimestamp for every value, every shape and cutoffs on both sides', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(-1000, -1, 0, 1, 999, 1000, 86_400_000), (v, delta) => {
        const js = parseTimestamp(v);
        const base = js ?? Date.UTC(2026, 0, 1);
        for (const cutoff of [base + delta, base - delta]) {
          for (const shape of SHAPES) {
            const said = sqlSays(v, shape, cutoff);
            const expected = { older: js !== null && js < cutoff, either: js === null || js < cutoff, ms: js };
            if (JSON.stringify(said) !== JSON.stringify(expected)) {
              throw new Error(`${JSON.stringify(String(v))} (${typeof v}) shape ${JSON.stringify(shape)} cutoff ${cutoff}: SQL ${JSON.stringify(said)}, JS ${JSON.stringify(expected)}`);
            }
          }
        }
      }),
      { numRuns: 600, seed: 16 },
    );
  });

  it('writes the cutoff in the shape, rounded up to what the shape can hold', () => {
    const at = Date.UTC(2026, 1, 7, 19, 7, 36, 123);
    expect(cutoffText(at, { sep: ' ', digits: 0, zone: '' })).toBe('2026-02-07 19:07:37');
    expect(cutoffText(at - 123, { sep: ' ', digits: 0, zone: '' })).toBe('2026-02-07 19:07:36');
    expect(cutoffText(at, { sep: 'T', digits: 1, zone: 'Z' })).toBe('2026-02-07T19:07:36.2Z');
    expect(cutoffText(at, { sep: 'T', digits: 6, zone: '+00:00' })).toBe('2026-02-07T19:07:36.123000+00:00');
    expect(cutoffText(Date.UTC(10000, 0, 1), { sep: ' ', digits: 0, zone: '' })).toBeNull();
  });

  it('picks the shape most sampled values have; none when no value has one', () => {
    const d = new Database(':memory:');
    try {
      d.exec('CREATE TABLE x (id INTEGER PRIMARY KEY, at)');
      const insert = d.prepare('INSERT INTO x (id, at) VALUES (?, ?)');
      for (let i = 1; i <= 500; i++) insert.run(i * 1000, i % 5 === 0 ? `2026-01-01T10:00:${two(i % 60)}Z` : `2026-01-01 10:00:${two(i % 60)}.${String(i).padStart(6, '0')}`);
      expect(detectTextShape(d, 'x', 'at', 'rowid')).toEqual({ sep: ' ', digits: 6, zone: '' });
      d.exec('UPDATE x SET at = 1700000000');
      expect(detectTextShape(d, 'x', 'at', 'rowid')).toBeNull();
      d.exec('DELETE FROM x');
      expect(detectTextShape(d, 'x', 'at', 'rowid')).toBeNull();
    } finally {
      d.close();
    }
    expect(textShapeOf('2026-02-30 10:00:00')).toBeNull();
    expect(textShapeOf('2026-02-07T10:00:00.5Z')).toEqual({ sep: 'T', digits: 1, zone: 'Z' });
  });
});
