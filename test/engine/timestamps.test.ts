import { describe, expect, it } from 'vitest';
import { formatTimestampLike, MS_THRESHOLD, parseTimestamp, timestampFormatOf } from '../../src/engine/db/timestamps.js';

const T = Date.parse('2026-02-07T19:07:36Z');

describe('parseTimestamp', () => {
  const cases: [string, unknown, number | null][] = [
    ['ISO-8601 with Z', '2026-02-07T19:07:36Z', T],
    ['ISO-8601 with lowercase t and z', '2026-02-07t19:07:36z', T],
    ['ISO-8601 without zone is UTC', '2026-02-07T19:07:36', T],
    ['ISO-8601 with milliseconds', '2026-02-07T19:07:36.250Z', T + 250],
    ['ISO-8601 with microseconds (truncated to ms)', '2026-02-07T19:07:36.123456Z', T + 123],
    ['ISO-8601 fraction .29 is exactly 290 ms', '2026-02-07T19:07:36.29Z', T + 290],
    ['ISO-8601 with +02:00 offset', '2026-02-07T21:07:36+02:00', T],
    ['ISO-8601 with -05:30 offset', '2026-02-07T13:37:36-05:30', T],
    ['ISO-8601 with +0200 offset', '2026-02-07T21:07:36+0200', T],
    ['ISO-8601 with +02 offset', '2026-02-07T21:07:36+02', T],
    ['ISO-8601 without seconds', '2026-02-07T19:07', T - 36_000],
    ['date only is midnight UTC', '2026-02-07', Date.parse('2026-02-07T00:00:00Z')],
    ['SQLite CURRENT_TIMESTAMP text is UTC', '2026-02-07 19:07:36', T],
    ['SQLite text with fraction', '2026-02-07 19:07:36.5', T + 500],
    ['surrounding whitespace', '  2026-02-07 19:07:36 ', T],
    ['unix seconds (integer)', T / 1000, T],
    ['unix seconds (bigint)', BigInt(T / 1000), T],
    ['unix seconds with fraction', T / 1000 + 0.25, T + 250],
    ['unix milliseconds', T, T],
    ['unix milliseconds (bigint)', BigInt(T), T],
    ['unix seconds as digit text', String(T / 1000), T],
    ['unix milliseconds as digit text', String(T), T],
    ['just below the ms threshold reads as seconds', MS_THRESHOLD - 1, (MS_THRESHOLD - 1) * 1000],
    ['the ms threshold reads as milliseconds', MS_THRESHOLD, MS_THRESHOLD],
    ['NULL', null, null],
    ['undefined', undefined, null],
    ['empty text', '', null],
    ['garbage text', 'yesterday', null],
    ['zero', 0, null],
    ['a small counter', 42, null],
    ['a Julian day number', 2461079.29, null],
    ['negative', -T, null],
    ['NaN', Number.NaN, null],
    ['Infinity', Number.POSITIVE_INFINITY, null],
    ['month 13', '2026-13-07T19:07:36Z', null],
    ['February 30', '2026-02-30 10:00:00', null],
    ['hour 24', '2026-02-07T24:00:00Z', null],
    ['offset hour 24', '2026-02-07T19:07:36+24:00', null],
    ['a blob', Buffer.from('2026-02-07'), null],
    ['a boolean', true, null],
    ['US date order', '02/07/2026 19:07:36', null],
  ];
  it.each(cases)('%s', (_name, value, expected) => {
    expect(parseTimestamp(value)).toBe(expected);
  });
});

describe('timestampFormatOf', () => {
  it.each([
    ['2026-02-07T19:07:36Z', 'iso'],
    ['2026-02-07 19:07:36', 'sqlite'],
    [T / 1000, 'unix-s'],
    [T, 'unix-ms'],
    [String(T / 1000), 'unix-s'],
    ['garbage', null],
    [null, null],
  ] as const)('%s is %s', (value, format) => {
    expect(timestampFormatOf(value)).toBe(format);
  });
});

describe('formatTimestampLike', () => {
  it.each([
    ['2025-01-01T00:00:00Z', '2026-02-07T19:07:36Z'],
    ['2025-01-01T00:00:00.000Z', '2026-02-07T19:07:36.000Z'],
    ['2025-01-01T00:00:00', '2026-02-07T19:07:36'],
    ['2025-01-01T00:00:00+01:00', '2026-02-07T19:07:36+00:00'],
    ['2025-01-01 00:00:00', '2026-02-07 19:07:36'],
    [1735689600, T / 1000],
    [1735689600000, T],
    [null, '2026-02-07T19:07:36Z'],
    ['not a date', '2026-02-07T19:07:36Z'],
  ] as const)('like %s', (sample, expected) => {
    expect(formatTimestampLike(sample, T)).toBe(expected);
  });

  it('writes what parseTimestamp reads back to the same instant', () => {
    for (const sample of ['2025-01-01T00:00:00Z', '2025-01-01 00:00:00', 1735689600, 1735689600000]) {
      expect(parseTimestamp(formatTimestampLike(sample, T))).toBe(T);
    }
  });
});
