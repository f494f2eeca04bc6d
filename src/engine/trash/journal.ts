/**
 * The trash journal: `<state>/trash/trash.db` (SQLite, WAL, synchronous FULL). Besides the rows
 * of the tasks and errors categories (one table per source table, written by the archiver as for
 * prompts: engine/db/archive.ts), it holds three small tables, written before the work they
 * describe so that a run killed at any moment leaves enough behind for the next run to converge:
 *
 * - `cleanup_trash_runs (run_id, trashed_at)`: a run that moved something into the trash, and
 *   when (the run's clock, ms): written before its first file or row moves; purge reads it.
 * - `cleanup_trash_tables (run_id, category, table_name)`: the tables whose rows a run trashed.
 * - `cleanup_trash_restores (id, run_id, request, restore_run_id)`: a restore in progress;
 *   removed when it is done. One left behind by a killed restore is completed first by the next
 *   run or restore (the same request again: every step is idempotent).
 * - `cleanup_trash_holds (target, until, restore_run_id)`: what a restore put back is kept by
 *   every run until `until` (keep_hours after the restore), so the next scheduled run does not
 *   take it straight back while the policy that removed it is being fixed.
 */
import { closeSync, constants } from 'node:fs';
import Database from 'better-sqlite3';
import type { EngineSettings } from '../../config/engine-settings.js';
import { checkSqlitePath, ensureDirUnderRoot, openNoFollow, UnsafePathError, verifySameFile } from '../../safety/safe-path.js';
import { BUSY_TIMEOUT_MS } from '../db/open.js';
import { trashDbRel, trashRel } from './layout.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS cleanup_trash_runs (run_id TEXT PRIMARY KEY, trashed_at INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS cleanup_trash_tables (
    run_id TEXT NOT NULL, category TEXT NOT NULL, table_name TEXT NOT NULL, PRIMARY KEY (run_id, table_name));
  CREATE TABLE IF NOT EXISTS cleanup_trash_restores (
    id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, request TEXT NOT NULL, restore_run_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS cleanup_trash_holds (target TEXT PRIMARY KEY, until INTEGER NOT NULL, restore_run_id TEXT NOT NULL);`;

/** Journal table names: never taken for a copy of a source table's rows. */
export const JOURNAL_TABLES = ['cleanup_trash_runs', 'cleanup_trash_tables', 'cleanup_trash_restores', 'cleanup_trash_holds'];

export interface TrashedRun {
  runId: string;
  trashedAt: number;
}

export interface TrashedTable {
  category: string;
  table: string;
}

export interface PendingRestore {
  id: number;
  runId: string;
  request: string;
  restoreRunId: string;
}

export interface Journal {
  /** The connection (for the row purge and restore, which read the copies). */
  readonly db: Database.Database;
  /** Records that `runId` trashes from `trashedAt` on (once; a second call changes nothing). */
  recordRun(runId: string, trashedAt: number): void;
  /** Records that `runId` trashes rows of `table` (category `category`). */
  recordTable(runId: string, category: string, table: string): void;
  /** Every run with something in the trash, oldest first. */
  runs(): TrashedRun[];
  run(runId: string): TrashedRun | null;
  tables(runId: string): TrashedTable[];
  /** Forgets a run (its files and rows are gone). */
  forgetRun(runId: string): void;
  beginRestore(runId: string, request: string, restoreRunId: string): number;
  endRestore(id: number): void;
  pendingRestores(): PendingRestore[];
  /** Keeps `targets` out of every run until `until` (ms), as restored by `restoreRunId`. */
  hold(targets: readonly string[], until: number, restoreRunId: string): void;
  /** The holds still in force at `now`: target -> the reason a run keeps it. */
  holds(now: number): Map<string, string>;
  close(): void;
}

/**
 * How a run opens the journal: `create` makes the trash folder and database when missing (a real
 * run with a trash); `write` opens an existing one (a restore; a real run after the trash was
 * switched off, to purge it); `read` opens an existing one read-only (a dry run).
 */
export type JournalMode = 'create' | 'write' | 'read';

/**
 * Opens the journal (null when there is none and `mode` is not `create`). Every path is checked
 * from the root (SPEC 3.5): a link on the way throws UnsafePathError.
 */
export function openJournal(settings: Pick<EngineSettings, 'root' | 'paths'>, mode: JournalMode): Journal | null {
  const rel = trashDbRel(settings);
  let checked = checkSqlitePath(settings.root, rel, rel);
  if (!checked.stat) {
    if (mode !== 'create') return null;
    ensureDirUnderRoot(settings.root, trashRel(settings), 'trash folder');
    closeSync(openNoFollow(checkSqlitePath(settings.root, rel, rel).abs, constants.O_CREAT | constants.O_RDWR, rel, 0o600));
    checked = checkSqlitePath(settings.root, rel, rel);
  }
  if (!checked.stat) throw new UnsafePathError(`${rel}: ${checked.abs} vanished while it was being created`);
  const db = new Database(checked.abs, { fileMustExist: true, readonly: mode === 'read', timeout: BUSY_TIMEOUT_MS });
  try {
    verifySameFile(checked.abs, checked.stat, rel);
    if (mode !== 'read') {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(SCHEMA);
    }
    return createJournal(db);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Expired holds are forgotten this long after they end (when new ones are written). */
const HOLD_FORGET_MS = 30 * 86_400_000;

function createJournal(db: Database.Database): Journal {
  const has = (name: string) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  // A read-only journal made by nothing yet (an empty file) answers with nothing.
  const ready = has('cleanup_trash_runs') && has('cleanup_trash_restores');
  const all = <T>(sql: string, ...args: unknown[]): T[] => (ready ? (db.prepare(sql).all(...args) as T[]) : []);
  return {
    db,
    recordRun: (runId, trashedAt) => void db.prepare('INSERT OR IGNORE INTO cleanup_trash_runs (run_id, trashed_at) VALUES (?, ?)').run(runId, trashedAt),
    recordTable: (runId, category, table) =>
      void db.prepare('INSERT OR IGNORE INTO cleanup_trash_tables (run_id, category, table_name) VALUES (?, ?, ?)').run(runId, category, table),
    runs: () => all<TrashedRun>('SELECT run_id AS runId, trashed_at AS trashedAt FROM cleanup_trash_runs ORDER BY trashed_at, run_id'),
    run: (runId) => all<TrashedRun>('SELECT run_id AS runId, trashed_at AS trashedAt FROM cleanup_trash_runs WHERE run_id = ?', runId)[0] ?? null,
    tables: (runId) => all<TrashedTable>('SELECT category, table_name AS "table" FROM cleanup_trash_tables WHERE run_id = ? ORDER BY table_name', runId),
    forgetRun: (runId) =>
      db.transaction(() => {
        db.prepare('DELETE FROM cleanup_trash_tables WHERE run_id = ?').run(runId);
        db.prepare('DELETE FROM cleanup_trash_runs WHERE run_id = ?').run(runId);
      })(),
    beginRestore: (runId, request, restoreRunId) =>
      Number(db.prepare('INSERT INTO cleanup_trash_restores (run_id, request, restore_run_id) VALUES (?, ?, ?)').run(runId, request, restoreRunId).lastInsertRowid),
    endRestore: (id) => void db.prepare('DELETE FROM cleanup_trash_restores WHERE id = ?').run(id),
    pendingRestores: () => all<PendingRestore>('SELECT id, run_id AS runId, request, restore_run_id AS restoreRunId FROM cleanup_trash_restores ORDER BY id'),
    hold: (targets, until, restoreRunId) => {
      const put = db.prepare('INSERT OR REPLACE INTO cleanup_trash_holds (target, until, restore_run_id) VALUES (?, ?, ?)');
      db.transaction(() => {
        db.prepare('DELETE FROM cleanup_trash_holds WHERE until < ?').run(until - HOLD_FORGET_MS);
        for (const t of targets) put.run(t, until, restoreRunId);
      })();
    },
    holds: (now) => {
      const rows = ready && has('cleanup_trash_holds') ? (db.prepare('SELECT target, until, restore_run_id AS r FROM cleanup_trash_holds WHERE until >= ?').all(now) as Array<{ target: string; until: number; r: string }>) : [];
      return new Map(rows.map((h) => [h.target, `restored from the trash by run ${h.r}; kept until ${new Date(h.until).toISOString()}`]));
    },
    close: () => {
      if (db.open) db.close();
    },
  };
}
