/** Errors (SPEC 1): resolved error rows older than error_age_days. */
import { ageLimit, defineCategory, MAX_COUNT } from './descriptor.js';

export const errors = defineCategory({
  name: 'errors',
  kind: 'rows',
  label: 'Errors',
  statKey: 'errors_deleted',
  rule: { kind: 'age', setting: 'error_age_days', unit: 'days', default: 30, max: MAX_COUNT, verb: 'resolved', action: 'delete' },
  policyLine: (policy, self) => `delete resolved errors older than ${ageLimit(policy, self)} days`,
  summary: { done: 'Errors deleted', planned: 'Errors to delete' },
  rows: {
    tables: ['errors', 'error_log', 'error_logs'],
    conditions: [
      { kind: 'resolved-flag', columns: ['resolved'] },
      { kind: 'resolved-status', columns: ['status'] },
    ],
    ageColumns: ['resolved_at', 'updated_at', 'created_at'],
  },
  strategy: 'rows',
});
