/**
 * The retention policy's pieces (durations, ISO weeks, calendar subtraction in a zone, the
 * safety rail, the English) and restic's documented examples, checked by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  applyRetention,
  checkRetention,
  describeRetention,
  formatDuration,
  isoWeekKey,
  parseDuration,
  type RetentionRules,
  subtractDuration,
  wallClockIn,
} from '../../src/domain/retention/index.js';

const DAY = 86_400_000;
const at = (...iso: string[]) => iso.map((s) => ({ name: s, timestampMs: Date.parse(s) }));
const kept = (items: { name: string; timestampMs: number }[], rules: RetentionRules, tz = 'UTC', now?: number) =>
  applyRetention(items, rules, { tz, now }).filter((d) => d.action === 'keep').map((d) => d.item.name);

describe('keep_within durations', () => {
  it.each([
    ['14d', { years: 0, months: 0, weeks: 0, days: 14, hours: 0 }],
    ['6h', { years: 0, months: 0, weeks: 0, days: 0, hours: 6 }],
    ['1y2m', { years: 1, months: 2, weeks: 0, days: 0, hours: 0 }],
    ['2w3d12h', { years: 0, months: 0, weeks: 2, days: 3, hours: 12 }],
    ['0d', { years: 0, months: 0, weeks: 0, days: 0, hours: 0 }],
  ])('reads %s', (text, want) => {
    expect(parseDuration(text)).toEqual(want);
  });

  it.each(['', '14', 'd', '2m1y', '1d1d', '1.5d', '-1d', '14x', '14 d', '14D', '123456d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('spells a duration canonically', () => {
    expect(formatDuration({ years: 1, months: 2, weeks: 0, days: 3, hours: 0 })).toBe('1y2m3d');
  });

  it('subtracts months as Go\'s AddDate: 31 March minus one month is 3 March', () => {
    const utc = wallClockIn('UTC');
    const d = parseDuration('1m');
    expect(d).not.toBeNull();
    expect(new Date(subtractDuration(utc, Date.parse('2026-03-31T12:00:00Z'), d as NonNullable<typeof d>)).toISOString()).toBe('2026-03-03T12:00:00.000Z');
  });

  it('subtracts days on the calendar of the zone: one day before a DST change is 23 hours in Berlin', () => {
    const berlin = wallClockIn('Europe/Berlin');
    const day = parseDuration('1d') as NonNullable<ReturnType<typeof parseDuration>>;
    const hours = parseDuration('24h') as NonNullable<ReturnType<typeof parseDuration>>;
    const noonCest = Date.parse('2026-03-29T10:00:00Z'); // 12:00 CEST, the day the clocks go forward
    expect(new Date(subtractDuration(berlin, noonCest, day)).toISOString()).toBe('2026-03-28T11:00:00.000Z'); // 12:00 CET
    expect(new Date(subtractDuration(berlin, noonCest, hours)).toISOString()).toBe('2026-03-28T10:00:00.000Z');
  });
});

describe('ISO weeks (Go ISOWeek: year*100 + week)', () => {
  it.each([
    ['2020-12-28', 202053],
    ['2021-01-03', 202053],
    ['2021-01-04', 202101],
    ['2024-12-30', 202501],
    ['2026-01-01', 202601],
    ['2027-01-01', 202653],
    ['2026-02-08', 202606],
  ])('%s is in week %i', (date, key) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    expect(isoWeekKey(y, m, d)).toBe(key);
  });
});

describe('the safety rail (checkRetention)', () => {
  it.each([
    [{}, /empty retention policy/],
    [{ keep_last: 0 }, /empty retention policy/],
    [{ keep_within: '0d' }, /empty retention policy/],
    [{ keep_daily: -1 }, /keep_daily must be an integer >= 0/],
    [{ keep_daily: 1.5 }, /keep_daily must be an integer >= 0/],
    [{ keep_within: '14x' }, /keep_within "14x" is not a duration/],
    [{ keep_monthy: 3 }, /unknown retention rule keep_monthy/],
  ])('refuses %j', (rules, message) => {
    expect(() => applyRetention(at('2026-01-01T00:00:00Z'), rules as RetentionRules, { tz: 'UTC' })).toThrow(message);
  });

  it('keeps every backup dated in the future when keep_within is the only rule (no newest to count from)', () => {
    const future = at('2030-01-02T00:00:00Z', '2030-01-01T00:00:00Z');
    expect(kept(future, { keep_within: '1h' }, 'UTC', Date.parse('2026-01-01T00:00:00Z'))).toEqual(future.map((b) => b.name));
  });

  it('accepts keep_last 0 when another rule is on (restic: 0 is "not set")', () => {
    expect(checkRetention({ keep_last: 0, keep_daily: 2 }).counts.map((c) => c.rule.name)).toEqual(['daily']);
  });
});

describe('reasons: every rule that keeps a backup, and what a removed one was tried against', () => {
  it('lists all rules: "kept: last #3, daily #3, weekly #1"-style texts', () => {
    // One backup a day, newest on a Wednesday: last 3 and daily 3 are the same three days.
    const items = Array.from({ length: 20 }, (_, i) => ({ name: `d${i}`, timestampMs: Date.parse('2026-02-04T10:00:00Z') - i * DAY }));
    const d = applyRetention(items, { keep_last: 3, keep_daily: 3, keep_weekly: 2 }, { tz: 'UTC' });
    expect(d.slice(0, 4).map((x) => x.text)).toEqual([
      'kept: last #1, daily #1, weekly #1',
      'kept: last #2, daily #2',
      'kept: last #3, daily #3',
      'kept: weekly #2', // Sunday 1 February, the newest of the previous ISO week
    ]);
    expect(d[4]?.text).toBe('removed: not kept by any rule (last 3, daily 3, weekly 2)');
    expect(d[4]?.reasons).toEqual([]);
  });

  it('marks restic\'s extra oldest backup as such', () => {
    const d = applyRetention(at('2026-02-01T10:00:00Z', '2026-01-01T10:00:00Z', '2026-01-01T09:00:00Z'), { keep_daily: 5 }, { tz: 'UTC' });
    expect(d.map((x) => x.text)).toEqual(['kept: daily #1', 'kept: daily #2', 'kept: daily #3 (oldest)']);
  });

  it('describes a policy in English', () => {
    expect(describeRetention({ keep_last: 10 })).toBe('keep the 10 most recent');
    expect(describeRetention({ keep_last: 3, keep_daily: 7, keep_within: '14d' })).toBe(
      'keep the 3 most recent, one per day for the latest 7 days with a backup and every backup within 14d of the newest',
    );
  });
});

describe('restic\'s documented examples, checked by hand', () => {
  it('one backup every Sunday for 12 weeks, keep_daily 4: the last four Sundays stay, 8 go', () => {
    const sundays = Array.from({ length: 12 }, (_, i) => ({ name: `s${i}`, timestampMs: Date.parse('2019-09-01T11:00:00Z') + i * 7 * DAY }));
    const d = applyRetention(sundays, { keep_daily: 4 }, { tz: 'UTC' });
    expect(d.filter((x) => x.action === 'keep').map((x) => new Date(x.item.timestampMs).toISOString().slice(0, 10))).toEqual([
      '2019-11-17',
      '2019-11-10',
      '2019-11-03',
      '2019-10-27',
    ]);
    expect(d.filter((x) => x.action === 'remove')).toHaveLength(8);
  });

  it('daily backups for years, daily 7 weekly 5 monthly 12 yearly 75: 7 daily, 4 more weekly, 11 more monthly, then yearly', () => {
    const to = Date.parse('2026-02-08T02:00:00Z'); // a Sunday
    const items = Array.from({ length: 3000 }, (_, i) => ({ name: `d${i}`, timestampMs: to - i * DAY }));
    const d = applyRetention(items, { keep_daily: 7, keep_weekly: 5, keep_monthly: 12, keep_yearly: 75 }, { tz: 'UTC' });
    const only = (rule: string) => d.filter((x) => x.reasons.length > 0 && x.reasons.every((r) => r.rule === rule)).length;
    expect(d.filter((x) => x.reasons.some((r) => r.rule === 'daily'))).toHaveLength(7);
    expect(only('weekly')).toBe(4); // "since the 7 dailies already include 1 weekly"
    expect(d.filter((x) => x.reasons.some((r) => r.rule === 'monthly') && !x.reasons.some((r) => r.rule === 'daily'))).toHaveLength(11); // "12 or 11"
  });
});
