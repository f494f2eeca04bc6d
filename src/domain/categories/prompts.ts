/** Prompts (SPEC 1): rows created more than prompt_age_days ago, moved into archive/prompts.db. */
import { ageLimit, defineCategory, MAX_COUNT } from './descriptor.js';

export const prompts = defineCategory({
  name: 'prompts',
  kind: 'rows',
  label: 'Prompts',
  statKey: 'prompts_deleted',
  rule: { kind: 'age', setting: 'prompt_age_days', unit: 'days', default: 14, max: MAX_COUNT, verb: 'created', action: 'archive' },
  policyLine: (policy, self) => `archive prompts created more than ${ageLimit(policy, self)} days ago`,
  summary: { done: 'Prompts deleted', planned: 'Prompts to archive' },
  rows: { tables: ['assigner_prompts', 'prompts'], conditions: [], ageColumns: ['created_at', 'updated_at'] },
  strategy: 'rows',
});
