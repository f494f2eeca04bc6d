/**
 * restic's `ApplyPolicy`, pure: a group of backups (one environment) + a policy + the zone the
 * buckets are cut in + now -> for every backup, keep or remove with every reason. The safety rails
 * (an empty policy is refused; the newest backup is always kept) live here and nowhere else.
 */
import { type WallClock, type WallClockOf, wallClockIn } from './calendar.js';
import { type Duration, formatDuration, isZeroDuration, parseDuration, subtractDuration } from './duration.js';
import { COUNT_RULES, type CountRule, RULE_KEYS, type RetentionRules } from './rules.js';

/** Why a backup is kept: a rule and, for counting rules, which of its N it is. */
export interface RetentionReason {
  rule: CountRule['name'] | 'within' | 'newest';
  /** Counting rules: this backup is the rule's n-th keep (1 = newest). */
  n?: number;
  /** restic keeps the oldest backup too while a rule has counts left (it lengthens the history). */
  oldest?: true;
  /** `within`: the duration, as written canonically. */
  within?: string;
}

export interface RetentionDecision<T> {
  item: T;
  action: 'keep' | 'remove';
  /** Every rule that keeps it (empty when removed). */
  reasons: readonly RetentionReason[];
  /** The reasons for people: `kept: last #3, daily #3, weekly #1` / `removed: not kept by any rule (last 10, daily 7)`. */
  text: string;
}

export interface RetentionOptions {
  /** The IANA zone buckets are cut in (the schedule's zone). */
  tz: string;
  /** The run's clock: keep_within counts from the newest backup not in the future (restic). Absent: none is. */
  now?: number;
}

/** A policy checked and reduced to the rules that are on. */
export interface CheckedPolicy {
  counts: readonly { rule: CountRule; n: number }[];
  within: Duration | null;
}

/**
 * The safety rail on the policy: refuses (RangeError naming the field) an unknown rule, a count
 * that is not a whole number >= 0, a malformed duration, and a policy that keeps nothing (no
 * `keep_last` >= 1 and no other rule on). Returns the rules that are on.
 */
export function checkRetention(rules: RetentionRules): CheckedPolicy {
  for (const key of Object.keys(rules)) {
    if (!(RULE_KEYS as readonly string[]).includes(key)) throw new RangeError(`unknown retention rule ${key} (known: ${RULE_KEYS.join(', ')})`);
  }
  const counts: { rule: CountRule; n: number }[] = [];
  for (const rule of COUNT_RULES) {
    const n = rules[rule.key];
    if (n === undefined) continue;
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${rule.key} must be an integer >= 0 (got ${n})`);
    if (n > 0) counts.push({ rule, n });
  }
  let within: Duration | null = null;
  if (rules.keep_within !== undefined) {
    const d = parseDuration(rules.keep_within);
    if (!d) throw new RangeError(`keep_within "${rules.keep_within}" is not a duration (e.g. "14d", "6h", "1y2m")`);
    if (!isZeroDuration(d)) within = d;
  }
  if (counts.length === 0 && within === null) {
    throw new RangeError('an empty retention policy would remove every backup: set keep_last (at least 1) or another rule');
  }
  return { counts, within };
}

/** The rules that are on: zero counts and zero durations ("0d") left out; anything malformed stays, for checkRetention to refuse. */
export function rulesSwitchedOn(rules: RetentionRules): RetentionRules {
  const on: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rules)) {
    const d = key === 'keep_within' && typeof value === 'string' ? parseDuration(value) : null;
    if (value === 0 || (d && isZeroDuration(d))) continue;
    on[key] = value;
  }
  return on as RetentionRules;
}

/**
 * Applies a policy to one group of backups (one environment), restic's way: sorted newest first
 * (equal times keep their input order, so the caller breaks ties), every counting rule counts on
 * its own over the whole list, keeping the newest backup of each of its N most recent buckets
 * (buckets without a backup do not count), plus the oldest backup while it has counts left;
 * keep_within keeps every backup after (newest - duration). Returns one decision per backup,
 * newest first. The newest backup is always kept. Throws RangeError for a refused policy.
 */
export function applyRetention<T extends { timestampMs: number }>(items: readonly T[], rules: RetentionRules, opts: RetentionOptions): RetentionDecision<T>[] {
  const policy = checkRetention(rules);
  const sorted = items.map((item, i) => ({ item, i })).sort((a, b) => b.item.timestampMs - a.item.timestampMs || a.i - b.i).map((x) => x.item);
  let wallOf: WallClockOf | undefined; // built on first use: a keep_last-only policy never needs it
  const clock = (): WallClockOf => (wallOf ??= wallClockIn(opts.tz));
  const cutoff = policy.within ? withinCutoff(sorted, (ms) => subtractDuration(clock(), ms, policy.within as Duration), opts.now) : null;
  const withinText = policy.within ? formatDuration(policy.within) : '';
  const counters = policy.counts.map((c) => ({ rule: c.rule, left: c.n, used: 0, last: null as number | null }));
  const summary = describeCounts(policy);
  const oldest = sorted.length - 1;
  return sorted.map((item, nr) => {
    const reasons: RetentionReason[] = [];
    let wall: WallClock | undefined;
    const at = (): WallClock => (wall ??= clock()(item.timestampMs));
    for (const c of counters) {
      if (c.left <= 0) continue;
      const bucket = c.rule.bucket(at, nr);
      const fresh = bucket !== c.last;
      if (!fresh && nr !== oldest) continue;
      c.last = bucket;
      c.left--;
      c.used++;
      reasons.push(fresh ? { rule: c.rule.name, n: c.used } : { rule: c.rule.name, n: c.used, oldest: true });
    }
    if (cutoff !== null && item.timestampMs > cutoff) reasons.push({ rule: 'within', within: withinText });
    if (nr === 0 && reasons.length === 0) reasons.push({ rule: 'newest' }); // the rail: never the last of a group
    if (reasons.length === 0) return { item, action: 'remove', reasons, text: `removed: not kept by any rule (${summary})` };
    return { item, action: 'keep', reasons, text: `kept: ${reasons.map(reasonText).join(', ')}` };
  });
}

/**
 * restic's keep-within limit: the newest backup that is not in the future, minus the duration.
 * With every backup in the future there is no newest: nothing is outside the limit.
 */
function withinCutoff<T extends { timestampMs: number }>(sorted: readonly T[], minus: (ms: number) => number, now: number | undefined): number {
  const latest = sorted.find((b) => now === undefined || b.timestampMs < now);
  return latest ? minus(latest.timestampMs) : Number.NEGATIVE_INFINITY;
}

/** One reason for people: `daily #3`, `daily #7 (oldest)`, `within 14d`, `newest backup`. */
export function reasonText(r: RetentionReason): string {
  if (r.rule === 'within') return `within ${r.within} of the newest`;
  if (r.rule === 'newest') return 'newest backup (always kept)';
  return `${r.rule} #${r.n}${r.oldest ? ' (oldest)' : ''}`;
}

/** The rules that are on, short: `last 10, daily 7, weekly 4, within 14d`. */
export function describeCounts(policy: CheckedPolicy): string {
  const parts = policy.counts.map((c) => `${c.rule.name} ${c.n}`);
  if (policy.within) parts.push(`within ${formatDuration(policy.within)}`);
  return parts.join(', ');
}

/**
 * A policy in English, restic's `ExpirePolicy.String` in our words: "keep the 10 most recent,
 * one per day for the latest 7 days with a backup, and every backup within 14d of the newest".
 * Throws RangeError for a refused policy (as applyRetention would).
 */
export function describeRetention(rules: RetentionRules): string {
  const policy = checkRetention(rules);
  const parts = policy.counts.map((c) => c.rule.describe(c.n));
  if (policy.within) parts.push(`every backup within ${formatDuration(policy.within)} of the newest`);
  const last = parts.pop() as string;
  return `keep ${parts.length ? `${parts.join(', ')} and ${last}` : last}`;
}
