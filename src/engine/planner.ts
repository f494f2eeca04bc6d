/**
 * The pure planner: candidates + policy + now -> decisions, each with one reason a person
 * can read. No fs, no database, no clock: everything it knows comes in its arguments.
 * Age rules are rows in AGE_RULES; backups' retention rules are rows of domain/retention, whose
 * applyRetention holds their safety rails (refuse an empty policy, keep the newest backup).
 */
import { CATEGORY_LIST, type CategoryDescriptor } from '../domain/categories/index.js';
import {
  applyRetention,
  approximateMs,
  COUNT_RULES,
  formatDuration,
  isZeroDuration,
  parseDuration,
  type RetentionRules,
} from '../domain/retention/index.js';
import type { AgeCategory, Decision, FileCandidate, Policy, RowCandidate } from '../domain/types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A category's age rule as the planner applies it. */
export interface AgeRule {
  /** Limit in ms for this category under a policy. */
  limitMs(p: Policy): number;
  unit: 'days' | 'hours';
  /** What the timestamp means: "modified", "finished", … */
  verb: string;
  action: 'delete' | 'archive';
}

const rules = new WeakMap<CategoryDescriptor, AgeRule>();

/** The planner's rule for a descriptor with an age rule (one object per descriptor: reasons are memoised per rule). */
export function ageRuleOf(d: CategoryDescriptor): AgeRule {
  let rule = rules.get(d);
  if (rule) return rule;
  const r = d.rule;
  if (r.kind !== 'age') throw new TypeError(`${d.name} has no age rule`);
  const unitMs = r.unit === 'days' ? DAY : HOUR;
  rule = { limitMs: (p) => (p.ages[d.name] ?? r.default) * unitMs, unit: r.unit, verb: r.verb, action: r.action };
  rules.set(d, rule);
  return rule;
}

/** The built-in categories' age rules, derived from their descriptors. */
export const AGE_RULES: Readonly<Record<AgeCategory, AgeRule>> = Object.freeze(
  Object.fromEntries(CATEGORY_LIST.filter((d) => d.rule.kind === 'age').map((d) => [d.name, ageRuleOf(d)])) as Record<AgeCategory, AgeRule>,
);

/** The rule of a built-in age category; throws for a category without one (a programmer error). */
function builtinRule(category: string): AgeRule {
  const rule = (AGE_RULES as Record<string, AgeRule | undefined>)[category];
  if (!rule) throw new TypeError(`${category} has no age rule: pass its rule`);
  return rule;
}

/** The cutoff instant: items strictly older than it (timestamp < cutoff) are removed. */
export function cutoffFor(category: AgeCategory | string, policy: Policy, now: number, rule = builtinRule(category)): number {
  return now - rule.limitMs(policy);
}

/**
 * How many backups an environment keeps; never less than one (the policy's safety rail).
 * Environment folder names match the retention keys case-insensitively (SPEC 1: `backups/PROD/`
 * is `prod`). When several keys match (`prod` and `PROD` both set), the largest count applies:
 * the reading of the policy that deletes least. A folder no key matches gets `default`.
 */
export function retentionFor(policy: Policy, env: string): number {
  const n = matchingRetention(policy.backupRetention, env) ?? policy.backupRetention.default;
  if (n === undefined || !Number.isInteger(n) || n < 1) {
    throw new RangeError(`backup retention for ${env} must be an integer >= 1 (got ${n})`);
  }
  return n;
}

function matchingRetention(retention: Policy['backupRetention'], env: string): number | undefined {
  const wanted = env.toLowerCase();
  let best: number | undefined;
  for (const [key, n] of Object.entries(retention)) {
    if (key.toLowerCase() !== wanted) continue;
    // An invalid count is returned as is, for retentionFor to refuse.
    if (!Number.isInteger(n) || n < 1) return n;
    if (best === undefined || n > best) best = n;
  }
  return best;
}

/** How planBackups cuts time: the zone of the buckets and the run's clock. */
export interface BackupPlanOptions {
  /** IANA zone the hourly/daily/weekly/monthly/yearly buckets are cut in (the schedule's); UTC if absent. */
  tz?: string;
  /** The run's clock: keep_within counts from the newest backup not after it. */
  now?: number;
}

/**
 * An environment's retention rules: its `keep_last` (retentionFor) and its other rules from
 * `backupPolicy` (the entry whose key matches the folder case-insensitively, else `default`).
 * When several keys match, each count is the largest and keep_within the longest of them: the
 * reading that deletes least. Switched-off rules (0, "0d") are left out.
 */
export function backupRulesFor(policy: Policy, env: string): RetentionRules {
  const table = policy.backupPolicy ?? {};
  const wanted = env.toLowerCase();
  let matches = Object.entries(table).filter(([k]) => k.toLowerCase() === wanted).map(([, r]) => r);
  if (matches.length === 0 && table.default) matches = [table.default];
  const rules: Record<string, number | string> = { keep_last: retentionFor(policy, env) };
  for (const r of matches) {
    for (const { key } of COUNT_RULES) {
      const n = r[key];
      if (key !== 'keep_last' && n !== undefined && n > 0 && n > ((rules[key] as number | undefined) ?? 0)) rules[key] = n;
    }
    const d = r.keep_within === undefined ? null : parseDuration(r.keep_within);
    const had = typeof rules.keep_within === 'string' ? parseDuration(rules.keep_within) : null;
    if (d && !isZeroDuration(d) && (!had || approximateMs(d) > approximateMs(had))) rules.keep_within = formatDuration(d);
  }
  return rules as RetentionRules;
}

/**
 * Backups: per environment folder, the restic-style policy (domain/retention) decides; a backup
 * no rule keeps is deleted unless protected (then skipped with the protection's reason). Ranked
 * by the name timestamp, else mtime; equal times by name. Each folder ranks on its own, keyed by
 * its real path: `backups/PROD/` and `backups/prod/` are two folders (rules found
 * case-insensitively), and a folder named `default` is not the files directly in backups/.
 * With only keep_last on, reasons read as before ("one of the 10 most recent prod backups");
 * with other rules, they list every rule that keeps ("kept: last #3, daily #3").
 */
export function planBackups(candidates: readonly FileCandidate[], policy: Policy, opts: BackupPlanOptions = {}): Decision<FileCandidate>[] {
  const byFolder = new Map<string, FileCandidate[]>();
  for (const c of candidates) {
    const folder = c.path.slice(0, c.path.lastIndexOf('/'));
    let list = byFolder.get(folder);
    if (!list) byFolder.set(folder, (list = []));
    list.push(c);
  }
  const decisions: Decision<FileCandidate>[] = [];
  for (const folder of [...byFolder.keys()].sort()) {
    const ranked = (byFolder.get(folder) ?? []).sort(
      (a, b) => b.timestampMs - a.timestampMs || byNameDescending(a.target, b.target) || byNameDescending(a.path, b.path),
    );
    const env = ranked[0]?.env ?? 'default';
    const rules = backupRulesFor(policy, env);
    const onlyLast = Object.keys(rules).length === 1;
    for (const d of applyRetention(ranked, rules, { tz: opts.tz ?? 'UTC', now: opts.now })) {
      const c = d.item;
      if (d.action === 'keep') {
        decisions.push({ candidate: c, action: 'keep', reason: onlyLast ? `one of the ${rules.keep_last} most recent ${env} backups` : d.text });
      } else if (c.protectedReason) {
        decisions.push({ candidate: c, action: 'skip', reason: c.protectedReason });
      } else {
        decisions.push({ candidate: c, action: 'delete', reason: onlyLast ? `older than the ${rules.keep_last} most recent ${env} backups` : d.text });
      }
    }
  }
  return decisions;
}

function byNameDescending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** Logs and temp files: removed when strictly older than the limit, unless protected. */
export function decideFile(c: FileCandidate, policy: Policy, now: number, rule = builtinRule(c.category)): Decision<FileCandidate> {
  const limit = rule.limitMs(policy);
  const age = now - c.timestampMs;
  if (!(age > limit)) return { candidate: c, action: 'keep', reason: ageReason(rule, age, limit) };
  if (c.protectedReason) return { candidate: c, action: 'skip', reason: c.protectedReason };
  return { candidate: c, action: rule.action, reason: ageReason(rule, age, limit) };
}

/** Database rows: removed (prompts: archived) when strictly older than the limit; unreadable ages are kept. */
export function decideRow(c: RowCandidate, policy: Policy, now: number, rule = builtinRule(c.category)): Decision<RowCandidate> {
  const limit = rule.limitMs(policy);
  if (c.timestampMs === null) return { candidate: c, action: 'keep', reason: 'age cannot be read' };
  const age = now - c.timestampMs;
  const reason = ageReason(rule, age, limit);
  return { candidate: c, action: age > limit ? rule.action : 'keep', reason };
}

/** The policy in plain English, one line per category of `list` (server start-up log, CLI header). */
export function describePolicy(policy: Policy, list: readonly CategoryDescriptor[] = CATEGORY_LIST): string[] {
  return list.map((d) => `${d.name}: ${d.policyLine(policy, d)}`);
}

/**
 * The reason for an age: "modified 41 days ago, limit 30 days". Only a few dozen distinct
 * texts occur in a run, so each is built once and shared (a memo of a pure function: the
 * result is the same as building it every time). decideRow's and decideFile's reason; the row
 * sweep calls it directly for rows SQL already found older than the limit.
 */
export function ageReason(rule: AgeRule, ageMs: number, limitMs: number): string {
  let byLimit = reasonMemo.get(rule);
  if (!byLimit) reasonMemo.set(rule, (byLimit = new Map()));
  let byBucket = byLimit.get(limitMs);
  if (!byBucket) {
    if (byLimit.size >= 64) byLimit.clear();
    byLimit.set(limitMs, (byBucket = new Map()));
  }
  const bucket = ageBucket(ageMs, rule.unit, limitMs);
  let reason = byBucket.get(bucket);
  if (reason === undefined) {
    if (byBucket.size >= 4096) byBucket.clear();
    reason = `${rule.verb} ${formatAge(ageMs, rule.unit, limitMs)} ago, limit ${formatLimit(limitMs, rule.unit)}`;
    byBucket.set(bucket, reason);
  }
  return reason;
}

const reasonMemo = new Map<AgeRule, Map<number, Map<number, string>>>();

/**
 * A number that is equal for two ages exactly when formatAge words them the same: -1 for a
 * future timestamp, -2 - r just past the limit (r sub-units over), else the whole units.
 */
function ageBucket(ms: number, unit: 'days' | 'hours', limitMs: number): number {
  if (ms < 0) return -1;
  const size = unit === 'days' ? DAY : HOUR;
  const n = Math.floor(ms / size);
  if (ms > limitMs && n === Math.round(limitMs / size)) {
    const sub = unit === 'days' ? HOUR : 60_000;
    return -2 - Math.floor((ms - n * size) / sub);
  }
  return n;
}

/**
 * "41 days"; just past the limit, where whole units would read "7 days ago, limit 7 days",
 * the remainder is added ("7 days 5 hours"), or "just over 7 days" within the first sub-unit.
 */
function formatAge(ms: number, unit: 'days' | 'hours', limitMs: number): string {
  if (ms < 0) return plural(0, unit); // a future timestamp (clock skew) reads as new
  const size = unit === 'days' ? DAY : HOUR;
  const n = Math.floor(ms / size);
  if (ms > limitMs && n === Math.round(limitMs / size)) {
    const [sub, subUnit] = unit === 'days' ? [HOUR, 'hours' as const] : [60_000, 'minutes' as const];
    const r = Math.floor((ms - n * size) / sub);
    return r > 0 ? `${plural(n, unit)} ${plural(r, subUnit)}` : `just over ${plural(n, unit)}`;
  }
  return plural(n, unit);
}

function plural(n: number, unit: string): string {
  return `${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
}

function formatLimit(ms: number, unit: 'days' | 'hours'): string {
  return plural(Math.round(ms / (unit === 'days' ? DAY : HOUR)), unit);
}
