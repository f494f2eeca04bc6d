/** SPEC section 2's defaults, in one place. */
import { defaultPolicy } from '../domain/categories/index.js';
import type { Policy } from '../domain/types.js';

/** Every category rule's default (the descriptors in domain/categories hold them). */
export const DEFAULT_POLICY: Policy = defaultPolicy();

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
