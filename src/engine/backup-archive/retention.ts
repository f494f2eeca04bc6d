/**
 * Retention of archived copies (`archive_policy`), applied to the target's listing. Pure: objects
 * in, one decision with its reason out for each. `TargetRetention` is the seam; `archiveRetention`
 * fills it with the restic-style rule set of issue 12 section 1 (domain/retention applyRetention,
 * the same rules and safety rails as the backups' own `backup_policy`), per environment.
 */
import type { ArchivePolicy } from '../../config/archive-schema.js';
import { applyRetention, checkRetention, describeCounts, type RetentionRules, rulesSwitchedOn } from '../../domain/retention/index.js';

/** One archived copy as retention sees it. */
export interface ArchivedObject {
  /** `<env>/<name>` relative to the target. */
  key: string;
  env: string;
  name: string;
  size: number;
  /** When the backup was taken: the timestamp in its name, else when the object was stored. */
  timestampMs: number;
}

export interface ArchiveDecision {
  object: ArchivedObject;
  action: 'keep' | 'delete';
  reason: string;
  /** Kept only because no rule covers its environment (not a retention decision worth listing). */
  uncovered?: true;
}

/** Decides, for every archived copy, whether the target keeps it. */
export type TargetRetention = (objects: readonly ArchivedObject[]) => ArchiveDecision[];

/** Where and when the rules are applied. */
export interface ArchiveRetentionOptions {
  /** The target as people read it (`s3://bucket/prefix/`, `archive/backups`), named in reasons. */
  targetName: string;
  /** The IANA zone the hourly … yearly buckets are cut in (the schedule's, as for the backups). */
  tz: string;
  /** The run's clock (keep_within counts from the newest copy not after it). */
  now: number;
}

/**
 * The archive policy as a TargetRetention: each environment's copies (grouped by their folder on
 * the target, newest first, equal times by key) are decided by that environment's rules (its
 * own entry, matched case-insensitively, else `default`). A copy is kept if any rule keeps it;
 * the newest copy of an environment always is; an environment the policy does not cover keeps
 * every copy. With only keep_last on, reasons read "one of the N most recent archived prod
 * copies"; else they list every rule, like the backups' (`kept: daily #3, weekly #1 (archive_policy.prod)`,
 * `removed: not kept by any rule of archive_policy.prod (daily 7, weekly 4) on s3://b/architect/`).
 * Throws RangeError for a policy that keeps nothing (the config check refuses it first).
 */
export function archiveRetention(policy: ArchivePolicy, opts: ArchiveRetentionOptions): TargetRetention {
  return (objects) => {
    const byEnv = new Map<string, ArchivedObject[]>();
    for (const o of objects) {
      let list = byEnv.get(o.env);
      if (!list) byEnv.set(o.env, (list = []));
      list.push(o);
    }
    const decisions: ArchiveDecision[] = [];
    for (const env of [...byEnv.keys()].sort()) {
      const ranked = (byEnv.get(env) ?? []).sort((a, b) => b.timestampMs - a.timestampMs || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      const entry = rulesFor(policy, env);
      if (!entry) {
        for (const o of ranked) decisions.push({ object: o, action: 'keep', reason: `no archive_policy for ${env}: every archived copy is kept`, uncovered: true });
        continue;
      }
      decisions.push(...decideEnvironment(ranked, env, entry, opts));
    }
    return decisions;
  };
}

/** One environment's copies (newest first) under its rules. */
function decideEnvironment(ranked: ArchivedObject[], env: string, entry: { key: string; rules: RetentionRules }, opts: ArchiveRetentionOptions): ArchiveDecision[] {
  const { key, rules } = entry;
  const onlyLast = Object.keys(rules).length === 1 && rules.keep_last !== undefined;
  const where = `archive_policy.${key}`;
  const summary = describeCounts(checkRetention(rules));
  return applyRetention(ranked, rules, { tz: opts.tz, now: opts.now }).map((d): ArchiveDecision => {
    if (onlyLast) {
      const n = rules.keep_last as number;
      return d.action === 'keep'
        ? { object: d.item, action: 'keep', reason: `one of the ${n} most recent archived ${env} copies (${where}.keep_last)` }
        : { object: d.item, action: 'delete', reason: `older than the ${n} most recent archived ${env} copies (${where}.keep_last ${n}) on ${opts.targetName}` };
    }
    return d.action === 'keep'
      ? { object: d.item, action: 'keep', reason: `${d.text} (${where})` }
      : { object: d.item, action: 'delete', reason: `removed: not kept by any rule of ${where} (${summary}) on ${opts.targetName}` };
  });
}

/**
 * The rules of an environment: the policy entry whose key matches its folder case-insensitively
 * (the config refuses two such keys), else `default`; switched-off rules (0, "0d") left out.
 */
function rulesFor(policy: ArchivePolicy, env: string): { key: string; rules: RetentionRules } | null {
  const key = Object.keys(policy).find((k) => k.toLowerCase() === env.toLowerCase()) ?? (policy.default ? 'default' : undefined);
  const rules = key === undefined ? undefined : policy[key];
  return key === undefined || !rules ? null : { key, rules: rulesSwitchedOn(rules) };
}
