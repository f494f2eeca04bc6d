/** Backups (SPEC 1): files in backups/<env>/, all but the N most recent per environment deleted. */
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
    return `keep the most recent per environment (${envs}; any other ${policy.backupRetention.default})`;
  },
  summary: { done: 'Backups deleted', planned: 'Backups to delete' },
  strategy: 'backups',
});
