/** The seven stats of SPEC section 4, and which one each category counts into. */
import type { Category, Stats } from './types.js';

export const STAT_KEY: Readonly<Record<Category, Exclude<keyof Stats, 'space_freed_mb'>>> = {
  backups: 'backups_deleted',
  logs: 'logs_deleted',
  tasks: 'tasks_deleted',
  errors: 'errors_deleted',
  prompts: 'prompts_deleted',
  temp: 'temp_files_deleted',
};

/** All-zero stats. */
export function emptyStats(): Stats {
  return {
    backups_deleted: 0,
    logs_deleted: 0,
    tasks_deleted: 0,
    errors_deleted: 0,
    prompts_deleted: 0,
    temp_files_deleted: 0,
    space_freed_mb: 0,
  };
}
