/**
 * Archiving prompts into <root>/<paths.archive>/prompts.db (SPEC section 1).
 *
 * The archive is ATTACHed to the dashboard connection so copying and checking are plain SQL.
 * Each batch is moved in two transactions, copy first: (1) INSERT OR IGNORE the rows into the
 * archive under their source rowid, commit; (2) DELETE from the source only the rows whose
 * archive copy is identical, commit. A crash between the two leaves rows in both places, and the
 * next run's step (1) ignores them and step (2) removes them from the source: never in neither,
 * never twice. A source row whose rowid the archive already holds with different values (the
 * dashboard reused a rowid) is kept and reported, never overwritten.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RunContext } from '../context.js';
import { type Db, quoteIdent, rowidsJson, TS_FUNCTION } from './open.js';
import type { RowExecutor } from './row-executor.js';
import { columnInfo, type DetectedTable, findTable } from './schema.js';

const SCHEMA = 'cleanup_archive';
const ARCHIVE_FILE = 'prompts.db';
/** Declared column types copied into the archive must look like type names, nothing more. */
const TYPE_RE = /^[A-Za-z0-9_ (),.+-]*$/;

/** Absolute path of the prompts archive database. */
export function archivePath(ctx: RunContext): string {
  return path.join(ctx.settings.root, ctx.settings.paths.archive, ARCHIVE_FILE);
}

/**
 * The prompts executor. Dry runs only read an archive that already exists (to report conflicts);
 * a real run creates the archive folder, file and table on its first `execute`, and not before.
 */
export function createArchiver(ctx: RunContext, db: Db, t: DetectedTable, cutoff: number): RowExecutor {
  const file = archivePath(ctx);
  const source = `main.${quoteIdent(t.table)}`;
  const archive = `${SCHEMA}.${quoteIdent(t.table)}`;
  let attached = false;
  let ready = false;
  /** Fixed once the archive table is ready (a real run): no PRAGMA table_info per batch. */
  let readyColumns: string[] | null = null;

  const attach = () => {
    if (attached) return;
    db.prepare(`ATTACH DATABASE ? AS ${SCHEMA}`).run(file);
    attached = true;
  };
  /** Source columns the archive table has too: the ones a copy carries and identity compares. */
  const sharedColumns = (): string[] => {
    const archived = new Set(columnInfo(db, t.table, SCHEMA).map((c) => c.name.toLowerCase()));
    return columnInfo(db, t.table).map((c) => c.name).filter((c) => archived.has(c.toLowerCase()));
  };
  const hasArchiveTable = () => attached && findTable(db, [t.table], SCHEMA) !== null;

  return {
    conflicts(rowids) {
      if (!attached && existsSync(file)) attach();
      if (!readyColumns && !hasArchiveTable()) return new Map();
      const same = sameValues(readyColumns ?? sharedColumns(), 'a', 's');
      const rows = db
        .prepare(
          `SELECT s.rowid AS id FROM ${source} AS s NOT INDEXED JOIN ${archive} AS a ON a.rowid = s.rowid
           WHERE s.rowid IN (SELECT value FROM json_each(?)) AND NOT (${same})`,
        )
        .safeIntegers(true)
        .all(rowidsJson(rowids)) as { id: bigint }[];
      const reason = (id: bigint) => `${ARCHIVE_FILE} already holds a different ${t.table} row #${id}; kept in the source`;
      return new Map(rows.map((r) => [r.id, reason(r.id)]));
    },
    execute(rowids) {
      if (!ready) {
        createArchiveFile(file);
        attach();
        // WAL: one fsync per committed copy instead of a rollback journal's two; FULL keeps each
        // copy durable before the source rows are deleted.
        db.pragma(`${SCHEMA}.journal_mode = WAL`);
        db.pragma(`${SCHEMA}.synchronous = FULL`);
        ensureArchiveTable(db, t.table);
        readyColumns = sharedColumns();
        ready = true;
      }
      const json = rowidsJson(rowids);
      const columns = readyColumns ?? sharedColumns();
      copyRows(db, t, columns, json, cutoff);
      return deleteCopied(db, t, columns, json, cutoff);
    },
  };
}

/**
 * Creates the archive file (and folder) if missing. ATTACH cannot: it inherits the dashboard
 * connection's no-create flag, which is what guarantees the dashboard database is never created.
 */
function createArchiveFile(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  new Database(file).close();
}

/** Creates the archive table with the source's columns, or adds the source columns it lacks. */
function ensureArchiveTable(db: Db, table: string): void {
  const sourceColumns = columnInfo(db, table);
  const defs = sourceColumns.map((c) => `${quoteIdent(c.name)}${TYPE_RE.test(c.type) && c.type ? ` ${c.type}` : ''}`);
  const archive = `${SCHEMA}.${quoteIdent(table)}`;
  if (!findTable(db, [table], SCHEMA)) {
    // No constraints on purpose: the archive must accept every row the source held.
    db.exec(`CREATE TABLE ${archive} (${defs.join(', ')})`);
    return;
  }
  const existing = new Set(columnInfo(db, table, SCHEMA).map((c) => c.name.toLowerCase()));
  sourceColumns.forEach((c, i) => {
    if (!existing.has(c.name.toLowerCase())) db.exec(`ALTER TABLE ${archive} ADD COLUMN ${defs[i]}`);
  });
}

/** Step 1, committed on its own: copies the rows that still qualify, keeping their rowid. */
function copyRows(db: Db, t: DetectedTable, columns: readonly string[], json: string, cutoff: number): void {
  const cols = columns.map(quoteIdent).join(', ');
  const stmt = db.prepare(
    `INSERT OR IGNORE INTO ${SCHEMA}.${quoteIdent(t.table)} (rowid, ${cols})
     SELECT rowid, ${cols} FROM main.${quoteIdent(t.table)} NOT INDEXED
     WHERE rowid IN (SELECT value FROM json_each(?)) AND ${TS_FUNCTION}(${quoteIdent(t.ageColumn)}) < ?`,
  );
  db.transaction(() => stmt.run(json, cutoff))();
}

/** Step 2: deletes from the source the rows that still qualify and whose archive copy is identical. */
function deleteCopied(db: Db, t: DetectedTable, columns: readonly string[], json: string, cutoff: number): Set<bigint> {
  const source = `main.${quoteIdent(t.table)}`;
  const stmt = db
    .prepare(
      `DELETE FROM ${source} NOT INDEXED
       WHERE rowid IN (SELECT value FROM json_each(?)) AND ${TS_FUNCTION}(${quoteIdent(t.ageColumn)}) < ?
         AND EXISTS (SELECT 1 FROM ${SCHEMA}.${quoteIdent(t.table)} AS a
                     WHERE a.rowid = ${source}.rowid AND ${sameValues(columns, 'a', source)})
       RETURNING rowid AS id`,
    )
    .safeIntegers(true);
  const rows = db.transaction(() => stmt.all(json, cutoff) as { id: bigint }[]).immediate();
  return new Set(rows.map((r) => r.id));
}

/** SQL true when every listed column holds the same value (NULL-safe) in both tables. */
function sameValues(columns: readonly string[], left: string, right: string): string {
  if (columns.length === 0) return '1';
  return columns.map((c) => `${left}.${quoteIdent(c)} IS ${right}.${quoteIdent(c)}`).join(' AND ');
}
