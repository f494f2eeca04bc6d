/** Moved to domain/stats.ts; re-exported for old imports. */
export { emptyStats, STAT_KEY } from '../domain/stats.js';
