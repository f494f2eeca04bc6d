/**
 * The retention rules as data (restic's `forget` policy): what a policy holds, and one row per
 * counting rule. A row names its setting, the word its reasons use, and its bucket function:
 * the rule keeps the newest backup of each of the N most recent buckets that hold one. Adding a
 * rule is adding a row.
 */
import { isoWeekKey, type WallClock } from './calendar.js';

/**
 * One environment's policy. Counts are integers (0 or absent: the rule is off; `keep_last` is at
 * least 1 when set); `keep_within` is a duration (duration.ts). A backup is kept if any rule keeps it.
 */
export interface RetentionRules {
  readonly keep_last?: number;
  readonly keep_hourly?: number;
  readonly keep_daily?: number;
  readonly keep_weekly?: number;
  readonly keep_monthly?: number;
  readonly keep_yearly?: number;
  readonly keep_within?: string;
}

export type CountKey = Exclude<keyof RetentionRules, 'keep_within'>;

/** A counting rule: restic's bucket. */
export interface CountRule {
  readonly key: CountKey;
  /** The word in reasons: `daily #3`, `(last 10, daily 7)`. */
  readonly name: 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';
  /** How describeRetention says "N of these": `7 → "one a day for the last 7 days that have a backup"`. */
  describe(n: number): string;
  /**
   * The bucket of a backup: equal values share a bucket. `wall` reads the backup's wall clock in
   * the policy's zone (only when called: `last` never reads the calendar); `index` is its rank
   * (newest 0), so `last` gives every backup its own bucket.
   */
  bucket(wall: () => WallClock, index: number): number;
}

/** YYYYMMDD, restic's `ymd`. */
const dayKey = (w: WallClock) => (w.year * 100 + w.month) * 100 + w.day;

const per = (unit: string, units: string) => (n: number) =>
  n === 1 ? `the newest of the latest ${unit} with a backup` : `one per ${unit} for the latest ${n} ${units} with a backup`;

/** The counting rules, in restic's order (which is also the order reasons list them in). */
export const COUNT_RULES: readonly CountRule[] = Object.freeze([
  { key: 'keep_last', name: 'last', describe: (n) => (n === 1 ? 'the most recent' : `the ${n} most recent`), bucket: (_w, i) => i },
  { key: 'keep_hourly', name: 'hourly', describe: per('hour', 'hours'), bucket: (at) => at().hour + 100 * dayKey(at()) },
  { key: 'keep_daily', name: 'daily', describe: per('day', 'days'), bucket: (at) => dayKey(at()) },
  { key: 'keep_weekly', name: 'weekly', describe: per('ISO week', 'ISO weeks'), bucket: (at) => isoWeekKey(at().year, at().month, at().day) },
  { key: 'keep_monthly', name: 'monthly', describe: per('month', 'months'), bucket: (at) => at().year * 100 + at().month },
  { key: 'keep_yearly', name: 'yearly', describe: per('year', 'years'), bucket: (at) => at().year },
] satisfies CountRule[]);

/** Every key a policy may hold, for validation messages. */
export const RULE_KEYS = [...COUNT_RULES.map((r) => r.key), 'keep_within'] as const;
