/**
 * Builders for dashboard databases of each schema variant, real SQLite files in a temp root,
 * plus the timestamp spellings the dashboard has used over the years.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { DAY, NOW } from './temp-root.js';

/** The dashboard's schema variants, one CREATE TABLE each. */
export const SCHEMAS = {
  taskQueue: `CREATE TABLE task_queue (id INTEGER PRIMARY KEY, title TEXT, status TEXT, completed_at, created_at TEXT)`,
  tasksState: `CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT, state TEXT, finished_at INTEGER, created_at INTEGER)`,
  tasksUpdated: `CREATE TABLE tasks (id INTEGER PRIMARY KEY, status TEXT, updated_at TEXT)`,
  errorsResolved: `CREATE TABLE errors (id INTEGER PRIMARY KEY, message TEXT, resolved, resolved_at TEXT, created_at TEXT)`,
  errorLogStatus: `CREATE TABLE error_log (id INTEGER PRIMARY KEY, message TEXT, status TEXT, updated_at TEXT)`,
  errorLogsResolved: `CREATE TABLE error_logs (id INTEGER PRIMARY KEY, message TEXT, resolved BOOLEAN, created_at INTEGER)`,
  assignerPrompts: `CREATE TABLE assigner_prompts (id INTEGER PRIMARY KEY, prompt TEXT NOT NULL, score REAL, payload BLOB, created_at TEXT)`,
  prompts: `CREATE TABLE prompts (prompt TEXT, updated_at INTEGER)`,
  activityLog: `CREATE TABLE activity_log (id INTEGER PRIMARY KEY, action TEXT, details TEXT, created_at TEXT)`,
} as const;

export type Row = Record<string, unknown>;

/** The dashboard database's path under a root (default settings). */
export function dbFile(root: string, rel = 'architect.db'): string {
  return path.join(root, rel);
}

/** Creates a database file under the root with the given DDL; returns its path. */
export function createDashboardDb(root: string, ...ddl: string[]): string {
  const file = dbFile(root);
  const db = new Database(file);
  for (const sql of ddl) db.exec(sql);
  db.close();
  return file;
}

/**
 * Inserts rows (objects column -> value; `rowid` sets the rowid) in one transaction. Foreign
 * keys are not enforced, as in the dashboard (Python's sqlite3): a reference may dangle.
 */
export function insertRows(file: string, table: string, rows: readonly Row[]): void {
  const db = new Database(file);
  db.pragma('foreign_keys = OFF');
  const insert = db.transaction((list: readonly Row[]) => {
    for (const row of list) {
      const cols = Object.keys(row);
      db.prepare(`INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
        ...cols.map((c) => asSqlValue(row[c])),
      );
    }
  });
  insert(rows);
  db.close();
}

/** Whole JS numbers are stored as INTEGER (as the dashboard stores them), not REAL. */
function asSqlValue(v: unknown): unknown {
  return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
}

/** Every row with its rowid (as `rowid`), in rowid order. */
export function selectRows(file: string, table: string): Row[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const rows = db.prepare(`SELECT rowid AS rowid, * FROM "${table}" ORDER BY rowid`).all() as Row[];
  db.close();
  return rows;
}

/**
 * The rows of an archive table as the source held them: `rowid` is the source rowid
 * (`_cleanup_source_rowid`), the archive's bookkeeping columns are left out; in archive order.
 */
export function archivedRows(file: string, table: string): Row[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const rows = db.prepare(`SELECT * FROM "${table.replace(/"/g, '""')}" ORDER BY rowid`).all() as Row[];
  db.close();
  return rows.map((r) => {
    const out: Row = { rowid: r._cleanup_source_rowid };
    for (const [k, v] of Object.entries(r)) if (!k.startsWith('_cleanup_')) out[k] = v;
    return out;
  });
}

/** The archive table the code before table versions created for SCHEMAS.assignerPrompts: typed, no constraints, rowid = source rowid. */
export const OLD_ARCHIVE_DDL = 'CREATE TABLE assigner_prompts ("id" INTEGER, "prompt" TEXT, "score" REAL, "payload" BLOB, "created_at" TEXT)';

/** The rowids left in a table, ascending. */
export function rowidsOf(file: string, table: string): number[] {
  return selectRows(file, table).map((r) => Number(r.rowid));
}

/** Runs one statement against a database file (tests mutating the world), foreign keys not enforced like the dashboard. */
export function execSql(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  db.pragma('foreign_keys = OFF');
  db.prepare(sql).run(...params);
  db.close();
}

/** The timestamp spellings, each for an instant in ms. */
export const fmt = {
  isoZ: (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z'),
  isoNoZone: (ms: number) => new Date(ms).toISOString().slice(0, 19),
  isoFraction: (ms: number) => new Date(ms).toISOString(),
  isoOffset: (ms: number) => {
    // The same instant written in UTC+02:00.
    const local = new Date(ms + 2 * 3_600_000).toISOString().slice(0, 19);
    return `${local}+02:00`;
  },
  sqlite: (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' '),
  unixS: (ms: number) => Math.floor(ms / 1000),
  unixMs: (ms: number) => ms,
};

/** The instant `days` days before NOW (plus extra ms). */
export function daysAgo(days: number, extraMs = 0): number {
  return NOW - days * DAY - extraMs;
}
