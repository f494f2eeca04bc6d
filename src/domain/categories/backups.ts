/**
 * Backups (SPEC 1): files in backups/<env>/; per environment the N most recent stay (`keep_last`,
 * `backup_retention`) and whatever the environment's restic-style rules keep (`backup_policy`).
 */
import type { Policy } from '../policy.js';
import { describeRetention, rulesSwitchedOn } from '../retention/index.js';
import { defineCategory } from './descriptor.js';

export const backups = defineCategory({
  name: 'backups',
  kind: 'files',
  label: 'Backups',
  statKey: 'backups_deleted',
  path: { key: 'backups', default: 'backups' },
  rule: { kind: 'retention', setting: 'backup_retention', defaults: { prod: 10, qa: 5, dev: 5, test: 3, default: 5 } },
  policyLine(policy) {
    const envs = Object.entries(policy.backupRetention)
      .filter(([k]) => k !== 'default')
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const line = `keep the most recent per environment (${envs}; any other ${policy.backupRetention.default})`;
    const more = otherRules(policy);
    return more.length ? `${line}; also ${more.join('; ')}` : line;
  },
  summary: { done: 'Backups deleted', planned: 'Backups to delete' },
  strategy: 'backups',
});

/** `backup_policy` in English, one part per environment with a rule switched on. */
function otherRules(policy: Policy): string[] {
  const parts: string[] = [];
  const entries = Object.entries(policy.backupPolicy ?? {});
  for (const [env, rules] of entries) {
    const on = rulesSwitchedOn(rules);
    if (Object.keys(on).length === 0) continue;
    const who = env !== 'default' ? env : entries.length === 1 ? 'every environment' : 'any other environment';
    parts.push(`${who}: ${describeRetention(on)}`);
  }
  return parts;
}
