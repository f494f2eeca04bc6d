/**
 * Putting a run's trashed rows back (README, Trash and restore) into the dashboard's table they came from,
 * with their rowid and every value exactly as they were (storage class and bytes), never over an
 * existing row. Two commits, source first: (1) in one transaction on the dashboard's database,
 * each selected copy whose rowid is free is inserted and compared with its copy (a value the
 * table would change, e.g. after a column's type changed, undoes that row: an error); a row whose
 * rowid is taken by an identical row counts as restored (a killed restore got that far); (2) the
 * copies whose identical row is now in the source leave trash.db. Killed between the two, a row is
 * in both, identical, and the next restore or run (journal.ts) completes step 2.
 *
 * A table with triggers is refused: inserting would run them, and they could change other rows or
 * tables (SPEC 3.11). Foreign keys are off on the connection, as in every run: nothing cascades.
 */
import type { RowCategory } from '../../domain/types.js';
import type { RunContext } from '../context.js';
import { quoteIdent, rowidsJson, type Db, databaseName, openDashboardDb, closeQuietly } from '../db/open.js';
import { sameValueSql } from '../db/row-identity.js';
import { columnDetails } from '../db/schema.js';
import { checkSqlitePath, UnsafePathError, verifySameFile } from '../../safety/safe-path.js';
import { statSync } from 'node:fs';
import type { Journal } from './journal.js';
import { trashDbRel } from './layout.js';
import type { RestoreSelection } from './selection.js';
import { runCopies, type TrashVersion, trashVersions } from './trash-tables.js';

const TRASH_SCHEMA = 'cleanup_trash';
const BATCH = 500;

interface TableJob {
  category: RowCategory;
  table: string;
}

/** Restores the rows of run `sel.runId`'s trash that `sel` selects. Never throws for operational problems. */
export function restoreRows(ctx: RunContext, journal: Journal, sel: RestoreSelection, reason: string, hold: (targets: readonly string[]) => void): void {
  const jobs = journal.tables(sel.runId).filter((t) => sel.category === undefined || t.category === sel.category) as TableJob[];
  if (jobs.length === 0) return;
  let db: Db | null = null;
  try {
    db = openDashboardDb(ctx.settings, { readonly: false });
    if (!db) {
      for (const j of jobs) failTable(ctx, j, `database ${databaseName(ctx.settings)} not found`, sel.runId);
      return;
    }
    attachTrash(ctx, db);
    for (const j of jobs) restoreTable(ctx, db, j, sel, reason, hold);
  } catch (err) {
    for (const j of jobs) failTable(ctx, j, (err as Error).message, sel.runId);
  } finally {
    if (db) closeQuietly(db);
  }
}

function failTable(ctx: RunContext, j: { category: string; table: string }, message: string, runId: string): void {
  ctx.report.error({ category: j.category as RowCategory, target: `${databaseName(ctx.settings)}:${j.table}`, message: `not restored: ${message}; the rows stay in the trash of run ${runId}` });
}

/** ATTACHes trash.db after checking its path from the root; it must not be the dashboard's own file. */
function attachTrash(ctx: RunContext, db: Db): void {
  const rel = trashDbRel(ctx.settings);
  const checked = checkSqlitePath(ctx.settings.root, rel, rel);
  if (!checked.stat) throw new UnsafePathError(`${rel} does not exist`);
  const main = statSync(db.name);
  if (main.dev === checked.stat.dev && main.ino === checked.stat.ino) throw new UnsafePathError(`${rel} is the dashboard's database itself`);
  db.prepare(`ATTACH DATABASE ? AS ${TRASH_SCHEMA}`).run(checked.abs);
  verifySameFile(checked.abs, checked.stat, rel);
}

function restoreTable(ctx: RunContext, db: Db, j: TableJob, sel: RestoreSelection, reason: string, hold: (targets: readonly string[]) => void): void {
  try {
    const why = refuseTable(db, j.table);
    if (why) {
      failTable(ctx, j, why, sel.runId);
      return;
    }
    for (const v of trashVersions(db, j.table, TRASH_SCHEMA)) restoreVersion(ctx, db, j, v, sel, reason, hold);
  } catch (err) {
    failTable(ctx, j, (err as Error).message, sel.runId);
  }
}

/** Why rows cannot go back into `table` at all, or null. */
function refuseTable(db: Db, table: string): string | null {
  const listed = db.prepare(`SELECT type, wr FROM pragma_table_list WHERE schema = 'main' AND name = ? COLLATE NOCASE`).get(table) as { type: string; wr: number } | undefined;
  if (listed?.type !== 'table' || listed.wr) return `table ${table} no longer exists as an ordinary table`;
  const triggers = db.prepare(`SELECT name FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE ORDER BY name`).pluck().all(table) as string[];
  if (triggers.length > 0) return `table ${table} has triggers (${triggers.join(', ')}) that inserting rows back would run; drop them and restore again`;
  return null;
}

/** Restores the selected copies of one version of a table's copies. */
function restoreVersion(ctx: RunContext, db: Db, j: TableJob, v: TrashVersion, sel: RestoreSelection, reason: string, hold: (targets: readonly string[]) => void): void {
  const dbName = databaseName(ctx.settings);
  const stmts = prepareVersion(db, j.table, v);
  if (typeof stmts === 'string') {
    failTable(ctx, j, stmts, sel.runId);
    return;
  }
  const rows = runCopies(db, v.name, sel.runId, TRASH_SCHEMA).filter((r) => sel.wants(j.category, `${dbName}:${j.table}#${r.sid}`));
  // Held before the first comes back (see restore-run.ts).
  if (rows.length > 0) hold(rows.map((r) => `${dbName}:${j.table}#${r.sid}`));
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const done: Array<{ tid: bigint; sid: bigint; note?: string }> = [];
    db.transaction(() => {
      for (const r of batch) {
        const outcome = restoreRow(db, stmts, r);
        if (outcome === 'restored' || outcome === 'already') done.push({ ...r, note: outcome === 'already' ? 'completed an interrupted restore' : undefined });
        else ctx.report.error({ category: j.category, target: `${dbName}:${j.table}#${r.sid}`, message: `not restored: ${outcome}; it stays in the trash of run ${sel.runId}` });
      }
    }).immediate();
    ctx.trashHooks?.afterRowRestore?.();
    const gone = new Set(stmts.dropCopies(rowidsJson(done.map((r) => r.tid))));
    for (const r of done) {
      if (!gone.has(r.tid)) continue;
      ctx.report.item({ category: j.category, target: `${dbName}:${j.table}#${r.sid}`, bytes: 0, action: 'restore', reason: r.note ? `${reason}; ${r.note}` : reason });
    }
  }
}

interface VersionStatements {
  taken: (sid: bigint) => boolean;
  same: (tid: bigint, sid: bigint) => boolean;
  insert: (tid: bigint, sid: bigint) => void;
  dropCopies: (json: string) => bigint[];
}

/** The statements for one version, or why its rows cannot go back (a column the table no longer has). */
function prepareVersion(db: Db, table: string, v: TrashVersion): VersionStatements | string {
  const source = columnDetails(db, table);
  const byName = new Map(source.map((c) => [c.name.toLowerCase(), c]));
  const missing = v.columns.filter((c) => !byName.has(c.toLowerCase()));
  if (missing.length > 0) return `table ${table} no longer has the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  const rowid = ['rowid', '_rowid_', 'oid'].find((r) => !byName.has(r));
  if (!rowid) return `table ${table} has columns named rowid, _rowid_ and oid`;
  // Generated columns are computed by the table; they are compared, never inserted.
  const insertable = v.columns.filter((c) => byName.get(c.toLowerCase())?.hidden === 0);
  const T = `main.${quoteIdent(table)}`;
  const V = `${TRASH_SCHEMA}.${quoteIdent(v.name)}`;
  const src = (c: string) => quoteIdent(byName.get(c.toLowerCase())?.name ?? c);
  const sameSql = v.columns.map((c) => sameValueSql(`a.${quoteIdent(c)}`, `s.${src(c)}`)).join(' AND ') || '1';
  const taken = db.prepare(`SELECT 1 FROM ${T} WHERE ${rowid} = ?`).pluck();
  const same = db.prepare(`SELECT 1 FROM ${V} AS a, ${T} AS s WHERE a.rowid = ? AND s.${rowid} = ? AND ${sameSql}`).pluck();
  const insert = db.prepare(
    `INSERT INTO ${T} (${[rowid, ...insertable.map(src)].join(', ')}) SELECT ?, ${insertable.map((c) => `a.${quoteIdent(c)}`).join(', ') || 'NULL'} FROM ${V} AS a WHERE a.rowid = ?`,
  );
  const drop = db
    .prepare(
      `DELETE FROM ${V} AS a WHERE a.rowid IN (SELECT value FROM json_each(?))
         AND EXISTS (SELECT 1 FROM ${T} AS s WHERE s.${rowid} = a._cleanup_source_rowid AND ${sameSql}) RETURNING rowid AS tid`,
    )
    .safeIntegers(true);
  return {
    taken: (sid) => taken.get(sid) !== undefined,
    same: (tid, sid) => same.get(tid, sid) !== undefined,
    insert: (tid, sid) => void insert.run(sid, tid),
    dropCopies: (json) => (db.transaction(() => drop.all(json) as Array<{ tid: bigint }>).immediate()).map((r) => r.tid),
  };
}

/** One row back, inside the batch's transaction (a savepoint of its own): 'restored', 'already', or why not. */
function restoreRow(db: Db, s: VersionStatements, r: { tid: bigint; sid: bigint }): 'restored' | 'already' | string {
  if (s.taken(r.sid)) return s.same(r.tid, r.sid) ? 'already' : `rowid ${r.sid} is taken by another row (never overwritten)`;
  try {
    db.transaction(() => {
      s.insert(r.tid, r.sid);
      if (!s.same(r.tid, r.sid)) throw new ValueChanged();
    })();
    return 'restored';
  } catch (err) {
    if (err instanceof ValueChanged) return 'the table would store different values now (a column type changed?)';
    return (err as Error).message;
  }
}

class ValueChanged extends Error {}
