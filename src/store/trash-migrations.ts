/**
 * State-database migrations of the trash (issue 15), appended last to state-store.ts's list:
 * each run records the bytes it moved into the trash beside its stats (which keep SPEC's seven
 * keys; `space_freed_mb` counts only what was freed).
 */

/** Run in order after every other migration; never edit one that has shipped, add another. */
export const TRASH_MIGRATIONS: readonly string[] = [`ALTER TABLE runs ADD COLUMN space_trashed_mb REAL NOT NULL DEFAULT 0;`];
