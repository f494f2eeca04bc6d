/** Tasks (SPEC 1): completed or cancelled queue rows finished more than task_age_days ago. */
import { ageLimit, defineCategory, MAX_COUNT } from './descriptor.js';

export const tasks = defineCategory({
  name: 'tasks',
  kind: 'rows',
  label: 'Tasks',
  statKey: 'tasks_deleted',
  rule: { kind: 'age', setting: 'task_age_days', unit: 'days', default: 7, max: MAX_COUNT, verb: 'finished', action: 'delete' },
  policyLine: (policy, self) => `delete completed/cancelled tasks finished more than ${ageLimit(policy, self)} days ago`,
  summary: { done: 'Tasks deleted', planned: 'Tasks to delete' },
  rows: {
    tables: ['task_queue', 'tasks'],
    conditions: [{ kind: 'finished-status', columns: ['status', 'state'] }],
    ageColumns: ['completed_at', 'finished_at', 'updated_at', 'created_at'],
  },
  strategy: 'rows',
});
