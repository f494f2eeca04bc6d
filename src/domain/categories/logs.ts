/** Logs (SPEC 1): log-named files under logs/ modified more than log_age_days ago. */
import { ageLimit, defineCategory, MAX_COUNT } from './descriptor.js';

export const logs = defineCategory({
  name: 'logs',
  kind: 'files',
  label: 'Logs',
  statKey: 'logs_deleted',
  path: { key: 'logs', default: 'logs' },
  rule: { kind: 'age', setting: 'log_age_days', unit: 'days', default: 30, max: MAX_COUNT, verb: 'modified', action: 'delete' },
  policyLine: (policy, self) => `delete files modified more than ${ageLimit(policy, self)} days ago`,
  summary: { done: 'Logs deleted', planned: 'Logs to delete' },
  strategy: 'logs',
});
