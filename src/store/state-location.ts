/**
 * Where the state database lives and the checks before and after SQLite opens it (SPEC 3.5):
 * `<root>/<paths.state>/state.db` is reached component by component from the root, never through
 * a symbolic link (a linked `.cleanup/` once put the run history, and SQLite's -wal and -shm,
 * wherever the link pointed), and a folder that cannot be written is said so plainly.
 */
import { accessSync, constants, type Stats } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { STATE_DB, stateDbRel } from '../config/state-files.js';
import { describeFsError } from '../safety/fs-errors.js';
import { checkSqlitePath, ensureDirUnderRoot, UnsafePathError, verifySameFile } from '../safety/safe-path.js';

/** The state folder or database cannot be created or written (read-only file system, permissions). */
export class StateUnavailableError extends Error {
  readonly code = 'ERR_CLEANUP_STATE_UNAVAILABLE';
}

export { STATE_DB };

/** A state database path that passed the checks. */
export interface StateFile {
  abs: string;
  rel: string;
  /** lstat of state.db before opening, or null when SQLite is about to create it. */
  before: Stats | null;
}

/**
 * Creates the state folder when missing (one component at a time, never through a link) and checks
 * state.db and its side files. Throws UnsafePathError for a link or non-folder on the way, and
 * StateUnavailableError (naming the folder and the reason, e.g. "read-only file system") when the
 * folder cannot be created or written. The root itself must exist.
 */
export function prepareStateFile(settings: Settings): StateFile {
  const folder = path.join(settings.root, settings.paths.state);
  let dir: string;
  try {
    dir = ensureDirUnderRoot(settings.root, settings.paths.state, 'state folder');
  } catch (err) {
    if (err instanceof UnsafePathError) throw err;
    throw new StateUnavailableError(`state folder ${folder} cannot be created: ${describeFsError(err)}`, { cause: err });
  }
  const rel = stateDbRel(settings);
  const resolved = checkSqlitePath(settings.root, rel, 'state database');
  try {
    accessSync(dir, constants.W_OK);
    if (resolved.stat) accessSync(resolved.abs, constants.R_OK | constants.W_OK);
  } catch (err) {
    throw new StateUnavailableError(`state folder ${folder} cannot be written: ${describeFsError(err)}`, { cause: err });
  }
  return { abs: resolved.abs, rel, before: resolved.stat };
}

/**
 * Right after SQLite opened the file: it is still the file that was checked (same device and
 * inode), or, when SQLite created it, a regular file with no link on the way; its -wal/-shm too.
 */
export function confirmStateFile(settings: Settings, file: StateFile): void {
  if (file.before) verifySameFile(file.abs, file.before, 'state database');
  const now = checkSqlitePath(settings.root, file.rel, 'state database');
  if (!now.stat?.isFile()) throw new UnsafePathError(`state database: ${file.abs} is not a regular file after opening; not used`);
}
