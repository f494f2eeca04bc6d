/**
 * Opening the dashboard's database, and the small SQL helpers every database category shares.
 * The dashboard owns the file: we never create it and never change its journal mode.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Settings } from '../../config/settings.js';
import { parseTimestamp } from './timestamps.js';

type Db = Database.Database;
export type { Db };

/** How long a statement waits for a dashboard writer to let go before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/** The SQL function that reads an age column exactly as the planner does (see timestamps.ts). */
export const TS_FUNCTION = 'cleanup_worker_ts_ms';

/** Absolute path of the dashboard database. */
export function databasePath(settings: Settings): string {
  return path.join(settings.root, settings.paths.database);
}

/** The database file's name as used in targets: `architect.db:<table>#<rowid>`. */
export function databaseName(settings: Settings): string {
  return path.basename(settings.paths.database);
}

/**
 * Opens the dashboard database, or returns null when the file does not exist (it is never
 * created). Sets the busy timeout and registers TS_FUNCTION on this connection only.
 * Throws better-sqlite3's SqliteError when the file exists but cannot be opened.
 */
export function openDashboardDb(settings: Settings, opts: { readonly: boolean }): Db | null {
  const file = databasePath(settings);
  if (!existsSync(file)) return null;
  const db = new Database(file, { fileMustExist: true, readonly: opts.readonly, timeout: BUSY_TIMEOUT_MS });
  try {
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
export function rowidsJson(rowids: readonly bigint[]): string {
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
