/** Tasks: completed or cancelled queue rows finished more than task_age_days ago are deleted. Shared implementation: ../db/row-cleanup.ts. */
import type { CategoryHandler } from '../context.js';
import { createRowHandler } from '../db/row-cleanup.js';

export const tasksHandler: CategoryHandler = createRowHandler('tasks');
