/**
 * The named retention cases behind the golden files in test/golden/retention/: generated
 * backup histories (hourly over two years, gaps, duplicates in one second, DST changes in
 * Europe/Berlin, restic's documented examples) and the policy applied to each. Shared by the
 * generator (scripts/retention-golden.ts) and the golden test, so both see the same histories.
 */
import type { RetentionRules } from '../src/domain/retention/index.js';

export interface GoldenBackup {
  /** A name that shows the instant, plus `#k` for backups in the same second. */
  name: string;
  timestampMs: number;
}

export interface RetentionCase {
  name: string;
  /** What the case shows, and for hand-checked cases what restic's documentation says. */
  about: string;
  tz: string;
  now: string;
  policy: RetentionRules;
  history(): GoldenBackup[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One backup every `stepMs` from `from` to `to` (inclusive), newest first. */
function every(from: string, to: string, stepMs: number, skip: (ms: number) => boolean = () => false): GoldenBackup[] {
  const out: GoldenBackup[] = [];
  for (let t = Date.parse(to); t >= Date.parse(from); t -= stepMs) {
    if (!skip(t)) out.push({ name: new Date(t).toISOString(), timestampMs: t });
  }
  return out;
}

/** Backups at the given instants, newest first. */
function at(...instants: string[]): GoldenBackup[] {
  return instants.map((s) => ({ name: s, timestampMs: Date.parse(s) })).sort((a, b) => b.timestampMs - a.timestampMs);
}

const twoYearsHourly = () => every('2024-02-07T00:00:00Z', '2026-02-06T23:00:00Z', HOUR);
const TWO_YEARS_NOW = '2026-02-07T19:07:36Z';

function hourly2y(name: string, policy: RetentionRules, about: string, tz = 'UTC'): RetentionCase {
  return { name, about: `Hourly backups over two years (17,520). ${about}`, tz, now: TWO_YEARS_NOW, policy, history: twoYearsHourly };
}

export const RETENTION_CASES: readonly RetentionCase[] = [
  hourly2y('hourly-2y-last-24', { keep_last: 24 }, 'keep_last alone keeps exactly the 24 newest.'),
  hourly2y('hourly-2y-hourly-48', { keep_hourly: 48 }, 'One per hour for the 48 newest hours.'),
  hourly2y('hourly-2y-daily-14', { keep_daily: 14 }, 'The newest of each of the 14 newest days (23:00 each).'),
  hourly2y('hourly-2y-weekly-8', { keep_weekly: 8 }, 'ISO weeks: the newest of each of 8 weeks (Sundays 23:00, the current week Friday).'),
  hourly2y('hourly-2y-monthly-12', { keep_monthly: 12 }, 'The newest of each of the 12 newest months (the last day 23:00).'),
  hourly2y('hourly-2y-yearly-5', { keep_yearly: 5 }, 'Three years hold backups, so yearly keeps 3 and then the oldest backup (restic keeps it while counts are left).'),
  hourly2y('hourly-2y-within-14d', { keep_within: '14d' }, 'Everything after (newest - 14 days): 14 * 24 = 336 backups.'),
  hourly2y(
    'hourly-2y-gfs-berlin',
    { keep_last: 3, keep_daily: 7, keep_weekly: 4, keep_monthly: 12, keep_yearly: 3 },
    'A GFS policy with buckets cut in Europe/Berlin: days end at 22:00 or 23:00 UTC depending on DST.',
    'Europe/Berlin',
  ),
  {
    name: 'gaps-daily-weekly',
    about: 'Daily backups with two gaps (no backup 2026-01-20..2026-01-31, none in December 2025): the N most recent buckets that hold a backup are counted; empty days and weeks are skipped.',
    tz: 'UTC',
    now: '2026-02-07T12:00:00Z',
    policy: { keep_daily: 7, keep_weekly: 4, keep_monthly: 3 },
    history: () =>
      every('2025-10-01T03:00:00Z', '2026-02-05T03:00:00Z', DAY, (t) => {
        const iso = new Date(t).toISOString();
        return iso.startsWith('2025-12') || (iso >= '2026-01-20' && iso < '2026-02-01');
      }),
  },
  {
    name: 'duplicates-in-one-second',
    about: 'Three backups in the same second, twice: one bucket each; the first in the given order (the planner sorts ties by name) is its bucket\'s newest; keep_last counts each backup.',
    tz: 'UTC',
    now: '2026-02-07T12:00:00Z',
    policy: { keep_last: 2, keep_daily: 3 },
    history: () => [
      { name: '2026-02-06T10:00:00Z#c', timestampMs: Date.parse('2026-02-06T10:00:00Z') },
      { name: '2026-02-06T10:00:00Z#b', timestampMs: Date.parse('2026-02-06T10:00:00Z') },
      { name: '2026-02-06T10:00:00Z#a', timestampMs: Date.parse('2026-02-06T10:00:00Z') },
      { name: '2026-02-05T10:00:00Z#b', timestampMs: Date.parse('2026-02-05T10:00:00Z') },
      { name: '2026-02-05T10:00:00Z#a', timestampMs: Date.parse('2026-02-05T10:00:00Z') },
      ...at('2026-02-04T10:00:00Z', '2026-02-03T10:00:00Z'),
    ],
  },
  {
    name: 'dst-berlin-spring-hourly',
    about: 'Europe/Berlin springs forward on 2026-03-29 (02:00 CET -> 03:00 CEST): half-hourly backups; the local hour 02 does not exist, so no bucket is made for it.',
    tz: 'Europe/Berlin',
    now: '2026-03-29T06:00:00Z',
    policy: { keep_hourly: 6 },
    history: () => every('2026-03-28T22:00:00Z', '2026-03-29T03:30:00Z', HOUR / 2),
  },
  {
    name: 'dst-berlin-autumn-hourly',
    about: 'Europe/Berlin falls back on 2025-10-26 (03:00 CEST -> 02:00 CET): the local hour 02 happens twice; its four half-hourly backups share one bucket (restic reads the wall clock). The 12 backups fill only 5 local hours, so hourly 6 keeps 5 and then the oldest backup.',
    tz: 'Europe/Berlin',
    now: '2025-10-26T06:00:00Z',
    policy: { keep_hourly: 6 },
    history: () => every('2025-10-25T22:00:00Z', '2025-10-26T03:30:00Z', HOUR / 2),
  },
  {
    name: 'dst-berlin-daily-at-2330-utc',
    about: 'Backups daily at 23:30 UTC = 00:30 or 01:30 the next day in Berlin: daily buckets follow the Berlin date, across the spring change.',
    tz: 'Europe/Berlin',
    now: '2026-04-02T12:00:00Z',
    policy: { keep_daily: 5 },
    history: () => every('2026-03-25T23:30:00Z', '2026-03-31T23:30:00Z', DAY),
  },
  {
    name: 'dst-berlin-daily-same-history-utc',
    about: 'The same history cut in UTC: the buckets are the UTC dates, one day earlier than in Berlin.',
    tz: 'UTC',
    now: '2026-04-02T12:00:00Z',
    policy: { keep_daily: 5 },
    history: () => every('2026-03-25T23:30:00Z', '2026-03-31T23:30:00Z', DAY),
  },
  {
    name: 'dst-berlin-within-1d',
    about: 'keep_within 1d across the spring change in Berlin: one calendar day back from 2026-03-29 12:00 CEST is 2026-03-28 12:00 CET, 23 real hours.',
    tz: 'Europe/Berlin',
    now: '2026-03-30T00:00:00Z',
    policy: { keep_within: '1d' },
    history: () => every('2026-03-28T08:00:00Z', '2026-03-29T10:00:00Z', HOUR),
  },
  {
    name: 'within-relative-to-newest',
    about: 'The newest backup is 10 days old: keep_within 7d counts from it (restic), not from now, so the week before it stays.',
    tz: 'UTC',
    now: '2026-02-07T12:00:00Z',
    policy: { keep_within: '7d' },
    history: () => every('2026-01-01T12:00:00Z', '2026-01-28T12:00:00Z', DAY),
  },
  {
    name: 'within-ignores-future-backups',
    about: 'A backup dated after now (clock skew) is kept but is not "the newest": keep_within counts from the newest backup that is not in the future (restic).',
    tz: 'UTC',
    now: '2026-02-07T12:00:00Z',
    policy: { keep_within: '2d' },
    history: () => [...at('2026-03-01T00:00:00Z'), ...every('2026-01-25T12:00:00Z', '2026-02-05T12:00:00Z', DAY)],
  },
  {
    name: 'within-1m-from-march-31',
    about: 'Calendar months as Go\'s AddDate: 31 March minus one month is "31 February", normalised to 3 March; backups after 2026-03-03 12:00 stay.',
    tz: 'UTC',
    now: '2026-04-01T00:00:00Z',
    policy: { keep_within: '1m' },
    history: () => every('2026-02-25T12:00:00Z', '2026-03-31T12:00:00Z', DAY),
  },
  {
    name: 'iso-week-53-year-boundary',
    about: 'Daily backups over New Year 2020/21: 2020 has an ISO week 53 (Mon 28 Dec to Sun 3 Jan), which takes in 1-3 January 2021.',
    tz: 'UTC',
    now: '2021-01-12T00:00:00Z',
    policy: { keep_weekly: 4 },
    history: () => every('2020-12-14T09:00:00Z', '2021-01-11T09:00:00Z', DAY),
  },
  {
    name: 'restic-doc-sundays-daily-4',
    about: 'restic docs ("Removing snapshots according to a policy"): one backup every Sunday for 12 weeks; "forget --keep-daily 4 will keep the last four snapshots, for the last four Sundays, and remove the other snapshots" (2019-10-27, 11-03, 11-10, 11-17 kept).',
    tz: 'UTC',
    now: '2019-11-20T00:00:00Z',
    policy: { keep_daily: 4 },
    history: () => every('2019-09-01T11:00:00Z', '2019-11-17T11:00:00Z', 7 * DAY),
  },
  {
    name: 'restic-doc-daily-for-years-gfs',
    about: 'restic docs: "one backup every day ... --keep-daily 7 --keep-weekly 5 --keep-monthly 12 --keep-yearly 75 would keep the most recent 7 daily snapshots and 4 last-day-of-the-week ones (since the 7 dailies already include 1 weekly). Additionally, 12 or 11 last-day-of-the-month snapshots ... 75 or 74 last-day-of-the-year". Here ten years of daily backups ending on Sunday 2026-02-08: 7 daily (Mon-Sun, one of them the week\'s), 4 weekly-only Sundays, 11 monthly-only month ends (February\'s is a daily), yearly 2016-2024 (9; 2025\'s is a monthly, 2026\'s a daily), and then the oldest backup, since yearly has counts left: 32 kept.',
    tz: 'UTC',
    now: '2026-02-09T12:00:00Z',
    policy: { keep_daily: 7, keep_weekly: 5, keep_monthly: 12, keep_yearly: 75 },
    history: () => every('2016-02-07T02:00:00Z', '2026-02-08T02:00:00Z', DAY),
  },
  {
    name: 'combined-rules-overlap',
    about: 'Every rule at once over six months of backups every 6 hours: each rule counts on its own over the whole list, so a backup kept by one rule still counts for the others (reasons list them all).',
    tz: 'UTC',
    now: '2026-02-07T12:00:00Z',
    policy: { keep_last: 5, keep_hourly: 6, keep_daily: 5, keep_weekly: 3, keep_monthly: 4, keep_yearly: 2, keep_within: '2d' },
    history: () => every('2025-08-07T00:00:00Z', '2026-02-07T06:00:00Z', 6 * HOUR),
  },
];
