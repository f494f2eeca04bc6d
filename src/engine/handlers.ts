/** The one list of category handlers, in run order. Adding a category adds a line here. */
import type { CategoryHandler } from './context.js';
import { backupsHandler } from './categories/backups.js';
import { logsHandler } from './categories/logs.js';
import { tempHandler } from './categories/temp.js';
import { tasksHandler } from './categories/tasks.js';
import { errorsHandler } from './categories/errors.js';
import { promptsHandler } from './categories/prompts.js';

export const HANDLERS: readonly CategoryHandler[] = [
  backupsHandler,
  logsHandler,
  tasksHandler,
  errorsHandler,
  promptsHandler,
  tempHandler,
];
