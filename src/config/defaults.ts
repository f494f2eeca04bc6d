/** SPEC section 2's defaults, in one place. */
import type { Policy } from '../domain/types.js';

export const DEFAULT_POLICY: Policy = Object.freeze({
  backupRetention: Object.freeze({ prod: 10, qa: 5, dev: 5, test: 3, default: 5 }),
  logAgeDays: 30,
  taskAgeDays: 7,
  errorAgeDays: 30,
  promptAgeDays: 14,
  tempAgeHours: 24,
});

export const DEFAULT_PATHS = Object.freeze({
  backups: 'backups',
  logs: 'logs',
  database: 'architect.db',
  temp: Object.freeze(['tmp', 'cache']) as readonly string[],
  sessions: 'sessions',
  archive: 'archive',
  state: '.cleanup',
  log_file: 'logs/cleanup_worker.log',
});

export const DEFAULT_ROOT = './data';
export const DEFAULT_SCHEDULE = '0 * * * *';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
