/**
 * Where the trash lives (README, Trash and restore): `<state>/trash/` (`.cleanup/trash/` by default), inside
 * the service's own state folder, which no category ever walks. A run's files go to
 * `<state>/trash/<run_id>/<root-relative path>`, its rows to `<state>/trash/trash.db`.
 */
import type { EngineSettings } from '../../config/engine-settings.js';
import { ConfigError } from '../../domain/errors.js';

export const TRASH_FOLDER = 'trash';
export const TRASH_DB = 'trash.db';

/**
 * What a run id may look like where it names a folder: the store's ids are UUIDs; anything with a
 * slash, a dot first or a NUL (`../x`, `.`, `a/b`) could name another folder and is refused.
 */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** True when `id` can be a run id (see RUN_ID). */
export function isRunId(id: string): boolean {
  return RUN_ID.test(id);
}

/** Throws ConfigError (a 400 / exit 2) unless `id` can be a run id. */
export function checkRunId(id: string, where: string): void {
  if (!isRunId(id)) throw new ConfigError(`${where} must be a run id (letters, digits, - and _; e.g. the run_id of GET /runs), got ${JSON.stringify(id.slice(0, 120))}`);
}

/** `<state>/trash`, relative to the root. */
export function trashRel(settings: Pick<EngineSettings, 'paths'>): string {
  return `${settings.paths.state}/${TRASH_FOLDER}`;
}

/** `<state>/trash/trash.db`, relative to the root. */
export function trashDbRel(settings: Pick<EngineSettings, 'paths'>): string {
  return `${trashRel(settings)}/${TRASH_DB}`;
}

/** `<state>/trash/<run_id>`, relative to the root; throws for an id that is not a run id. */
export function runTrashRel(settings: Pick<EngineSettings, 'paths'>, runId: string): string {
  checkRunId(runId, 'run id');
  return `${trashRel(settings)}/${runId}`;
}

/** A restore names a run the history does not know (404, exit 2). */
export class UnknownRunError extends Error {
  readonly code = 'ERR_CLEANUP_NOT_FOUND';
}
