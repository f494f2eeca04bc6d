/**
 * Backup retention, restic-style: the policy as data (rules.ts), its durations (duration.ts), the
 * calendar of a time zone (calendar.ts), and the one pure function that applies it (apply.ts).
 */
export * from './apply.js';
export { isoWeekKey, wallClockIn, type WallClock, type WallClockOf } from './calendar.js';
export * from './duration.js';
export * from './rules.js';
