/**
 * Opening the dashboard's database, and the small SQL helpers every database category shares.
 * The dashboard owns the file: we never create it and never change its journal mode.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EngineSettings } from '../../config/engine-settings.js';
import { checkSqlitePath, verifySameFile } from '../../safety/safe-path.js';
import { parseTimestamp } from './timestamps.js';

type Db = Database.Database;
export type { Db };

/** How long a statement waits for a dashboard writer to let go before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/** The SQL function that reads an age column exactly as the planner does (see timestamps.ts). */
export const TS_FUNCTION = 'cleanup_worker_ts_ms';

/** The database file's name as used in targets: `architect.db:<table>#<rowid>`. */
export function databaseName(settings: EngineSettings): string {
  return path.basename(settings.paths.database);
}

/**
 * Opens the dashboard database, or returns null when the file does not exist (it is never
 * created). The path is checked from the root first (SPEC 3.5): a symbolic link anywhere on the
 * way, the file or one of its -wal/-journal/-shm files being a link, or the file being swapped
 * while it is opened, throws UnsafePathError. Foreign keys are switched OFF on this connection
 * (better-sqlite3 builds SQLite with them ON, the dashboard's Python does not), so a DELETE can
 * never cascade into, or be refused because of, another table: references.ts keeps referenced
 * rows instead. Sets the busy timeout and registers TS_FUNCTION on this connection only.
 * Throws better-sqlite3's SqliteError when the file exists but cannot be opened.
 */
export function openDashboardDb(settings: EngineSettings, opts: { readonly: boolean }): Db | null {
  const what = settings.paths.database;
  const checked = checkSqlitePath(settings.root, settings.paths.database, what);
  if (!checked.stat) return null;
  const db = new Database(checked.abs, { fileMustExist: true, readonly: opts.readonly, timeout: BUSY_TIMEOUT_MS });
  try {
    verifySameFile(checked.abs, checked.stat, what);
    db.pragma('foreign_keys = OFF');
    if (db.pragma('foreign_keys', { simple: true }) !== 0) throw new Error('PRAGMA foreign_keys = OFF did not take effect');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.function(TS_FUNCTION, { deterministic: true }, (value: unknown) => parseTimestamp(value));
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** True for failures of the world (SQLite, fs), which are reported; false for programmer errors. */
export function isOperationalError(err: unknown): err is Error {
  if (err instanceof Database.SqliteError) return true;
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string';
}

/** Quotes an SQL identifier (table or column name) so any name is safe in SQL text. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A rowid list as a JSON array literal, exact for 64-bit rowids (for `json_each(?)`). */
export function rowidsJson(rowids: readonly (bigint | number)[]): string {
  return `[${rowids.join(',')}]`;
}

/** Closes a connection, ignoring a failure to close (the run's outcome is already decided). */
export function closeQuietly(db: Db): void {
  try {
    db.close();
  } catch {
    // Closing only fails when statements are still busy; the process will release the file.
  }
}
