/**
 * Retention of archived copies (`archive_policy`), applied to the target's listing. Pure: objects
 * in, one decision with its reason out for each. `TargetRetention` is the seam: today
 * `keepLastRetention` (the N newest copies of each environment); the restic-style rule set of
 * issue 12 section 1 plugs in here as another function of the same type.
 */
import type { ArchivePolicy } from '../../config/archive-schema.js';

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
}

/** Decides, for every archived copy, whether the target keeps it. */
export type TargetRetention = (objects: readonly ArchivedObject[]) => ArchiveDecision[];

/**
 * Keeps the `keep_last` newest copies of each environment (its own entry, matched
 * case-insensitively, else `default`); an environment the policy does not cover keeps every copy.
 * The newest copy of an environment is always kept (keep_last >= 1, checked by the schema and here).
 */
export function keepLastRetention(policy: ArchivePolicy, targetName: string): TargetRetention {
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
      const rule = rulesFor(policy, env);
      if (!rule) {
        for (const o of ranked) decisions.push({ object: o, action: 'keep', reason: `no archive_policy for ${env}: every archived copy is kept` });
        continue;
      }
      const keep = Math.max(1, rule.n);
      ranked.forEach((o, i) => {
        decisions.push(
          i < keep
            ? { object: o, action: 'keep', reason: `one of the ${keep} most recent archived ${env} copies (archive_policy.${rule.key}.keep_last)` }
            : { object: o, action: 'delete', reason: `older than the ${keep} most recent archived ${env} copies (archive_policy.${rule.key}.keep_last ${keep}) on ${targetName}` },
        );
      });
    }
    return decisions;
  };
}

function rulesFor(policy: ArchivePolicy, env: string): { key: string; n: number } | null {
  let best: { key: string; n: number } | null = null;
  for (const [key, r] of Object.entries(policy)) {
    // Several spellings of one environment: the largest count, the reading that deletes least.
    if (key.toLowerCase() === env.toLowerCase() && (!best || r.keep_last > best.n)) best = { key, n: r.keep_last };
  }
  const dflt = policy.default;
  return best ?? (dflt ? { key: 'default', n: dflt.keep_last } : null);
}
