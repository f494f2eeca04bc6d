/** Temp (SPEC 1): every file under tmp/ and cache/ modified more than temp_age_hours ago; emptied folders pruned. */
import { ageLimit, defineCategory, MAX_COUNT } from './descriptor.js';

export const temp = defineCategory({
  name: 'temp',
  kind: 'files',
  label: 'Temp files',
  statKey: 'temp_files_deleted',
  path: { key: 'temp', default: ['tmp', 'cache'] },
  rule: { kind: 'age', setting: 'temp_age_hours', unit: 'hours', default: 24, max: MAX_COUNT * 24, verb: 'modified', action: 'delete' },
  policyLine: (policy, self) => `delete temp and cache files modified more than ${ageLimit(policy, self)} hours ago`,
  summary: { done: 'Temp files deleted', planned: 'Temp files to delete' },
  strategy: 'temp',
});
