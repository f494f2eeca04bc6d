/**
 * The trash (issue 15, README, Trash and restore): config `trash: { "keep_hours": 72, "min_free_percent": 10 }`.
 * Absent, a real run deletes as it always did; present, what it would delete is moved into
 * `<state>/trash/<run_id>/` (files) and `<state>/trash/trash.db` (rows) and purged by a later run
 * once older than `keep_hours`. Editable from the panel like the retention settings.
 */
import { type Static, Type } from '@sinclair/typebox';

/** Hours a run's trash is kept when `keep_hours` is not given. */
export const DEFAULT_KEEP_HOURS = 72;
/** Ten years: a longer window is a typo, and ages in ms stay far from the float limit. */
export const MAX_KEEP_HOURS = 87_600;

export const TrashSchema = Type.Object(
  {
    keep_hours: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_KEEP_HOURS, description: `Hours a run's trash can be restored before a later run purges it (default ${DEFAULT_KEEP_HOURS}).` }),
    ),
    min_free_percent: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description:
          "When the root's file system has less than this share free at the start of a real run, the trash is purged first, oldest run first; if that is not enough, the run deletes instead of trashing.",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Move what a real run removes into a trash it can be restored from (absent: delete, as before). See README, Trash and restore.',
  },
);
export type TrashConfig = Static<typeof TrashSchema>;

/** The settings' view of `trash`. */
export interface TrashSettings {
  /** Hours a run's trash is kept. */
  readonly keepHours: number;
  /** Purge the trash first below this share of free space (percent); null: never by free space. */
  readonly minFreePercent: number | null;
}

/** The settings' view of `trash`, or null when it is not configured (the trash is off). */
export function resolveTrash(raw: TrashConfig | undefined): TrashSettings | null {
  if (!raw) return null;
  return Object.freeze({ keepHours: raw.keep_hours ?? DEFAULT_KEEP_HOURS, minFreePercent: raw.min_free_percent ?? null });
}
