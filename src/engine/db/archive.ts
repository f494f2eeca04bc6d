/**
 * Archiving prompts into <root>/<paths.archive>/prompts.db (SPEC section 1; layout: archive-table.ts).
 *
 * The archive is ATTACHed to the dashboard connection so copying and checking are plain SQL.
 * Each batch is moved in two transactions, copy first: (1) INSERT the rows that have no identical
 * copy yet, commit; (2) DELETE from the source only the rows that now have an identical copy
 * (same source rowid, and every value's storage class and bytes), commit. A crash between
 * the two leaves rows in both places, and the next run's step (1) finds their copies and step (2)
 * removes them from the source: never in neither, never twice. A row that reuses the rowid of an
 * archived one has another digest and is archived as a row of its own.
 *
 * Failures of the archive name the archive (`archive/prompts.db: …`), not the dashboard database.
 */
import { closeSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import type { Statement } from 'better-sqlite3';
import type { RunContext } from '../context.js';
import { checkSqlitePath, ensureDirUnderRoot, openNoFollow, UnsafePathError, verifySameFile } from '../../safety/safe-path.js';
import {
  ARCHIVE_SCHEMA,
  type ArchiveLayout,
  type ArchiveVersion,
  bookkeepingClash,
  DIGEST,
  inspectArchive,
  prepareTarget,
  RUN_ID,
  SOURCE_ROWID,
  type SourceShape,
} from './archive-table.js';
import type { AgeSql } from './age-sql.js';
import { type Db, isOperationalError, quoteIdent } from './open.js';
import { notReferencedSql } from './references.js';
import { digestSql, registerRowDigest, sameValueSql } from './row-identity.js';
import { type Listing, listedSql, listingOf, type RowExecutor, type RowId, stillThere } from './row-executor.js';
import { columnDetails, conditionSql, type DetectedTable } from './schema.js';

const ARCHIVE_FILE = 'prompts.db';

/** A failure of the archive database or folder; its message starts with the archive's path. */
export class ArchiveError extends Error {
  readonly code: string;
  constructor(
    readonly file: string,
    cause: Error,
  ) {
    super(cause instanceof UnsafePathError ? cause.message : `${file}: ${cause.message}`, { cause });
    this.code = String((cause as { code?: unknown }).code ?? 'ERR_CLEANUP_ARCHIVE');
  }
}

/** The archive database's path relative to the root, as reports name it: `archive/prompts.db`. */
export function archiveRelPath(ctx: RunContext): string {
  return path.posix.join(ctx.settings.paths.archive, ARCHIVE_FILE);
}

/**
 * The prompts executor. A dry run's preview only reads an archive that already exists (its
 * versions, to warn as the real run will); a real run creates the archive folder, file and table on its first
 * `execute`, and not before. Every path is checked from the root first (SPEC 3.5).
 */
/**
 * Where the copies go: the prompts archive (the default), or the trash's database (issue 15:
 * engine/trash/row-place.ts), which moves rows the same way, copy first.
 */
export interface CopyPlace {
  /** The database file, root-relative (reports name it). */
  rel: string;
  /** Its folder, root-relative, made (without following links) before the first copy. */
  folder: string;
  /** Called once, before the first copy is written (the trash journals the table there). */
  beforeFirstCopy?: () => void;
  /** Test hook: after a batch's copies are committed, before the source rows are deleted. */
  afterCopy?: () => void;
}

function archivePlace(ctx: RunContext): CopyPlace {
  return { rel: archiveRelPath(ctx), folder: ctx.settings.paths.archive };
}

export function createArchiver(ctx: RunContext, db: Db, t: DetectedTable, age: AgeSql, place: CopyPlace = archivePlace(ctx)): RowExecutor {
  const rel = place.rel;
  const onArchive = <T>(fn: () => T, blameBusy = true): T => guardArchive(rel, fn, blameBusy);
  const source = onArchive(() => describeSource(db, t));
  let inspected = false;
  let move: ((rowids: readonly RowId[]) => ReadonlySet<RowId>) | null = null;
  /** Warns, once, when copies go into a new table version because the existing ones would change values. */
  const warnVersion = (layout: ArchiveLayout) => {
    if (!layout.target.exists && layout.notes.length > 0) {
      ctx.report.warning(`${t.category}: ${rel}: ${layout.notes.join('; ')}; ${place.folder === ctx.settings.paths.archive ? 'archiving' : 'copying'} into ${layout.target.name}`);
    }
  };

  return {
    conflicts: () => new Map(),
    preview() {
      if (inspected) return;
      inspected = true;
      onArchive(() => attachArchive(ctx, db, place, false) && warnVersion(inspectArchive(db, t.table, source)));
    },
    execute(rowids) {
      move ??= onArchive(() => {
        place.beforeFirstCopy?.();
        attachArchive(ctx, db, place, true);
        // WAL: one fsync per committed copy instead of a rollback journal's two; FULL keeps each
        // copy durable before the source rows are deleted.
        db.pragma(`${ARCHIVE_SCHEMA}.journal_mode = WAL`);
        db.pragma(`${ARCHIVE_SCHEMA}.synchronous = FULL`);
        warnVersion(inspectArchive(db, t.table, source));
        const layout = prepareTarget(db, t.table, source);
        return createMove(ctx, db, t, layout, source, age, onArchive, place.afterCopy);
      });
      return move(rowids);
    },
  };
}

/**
 * ATTACHes the archive after checking its path from the root (no link on the way, not a link
 * itself, no side file a link, not the dashboard's own file); `create` makes the folder and an
 * empty file first when missing. Returns false when it does not exist and `create` is false.
 */
function attachArchive(ctx: RunContext, db: Db, place: CopyPlace, create: boolean): boolean {
  const { root } = ctx.settings;
  const rel = place.rel;
  // Checked before anything is created, so a dry run and a real run refuse a link alike.
  let checked = checkSqlitePath(root, rel, rel);
  if (!checked.stat) {
    if (!create) return false;
    ensureDirUnderRoot(root, place.folder, rel);
    // ATTACH cannot create it: it inherits the dashboard connection's no-create flag, which is
    // what guarantees the dashboard database is never created. An empty file is an empty database.
    closeSync(openNoFollow(checkSqlitePath(root, rel, rel).abs, constants.O_CREAT | constants.O_RDWR, rel));
    checked = checkSqlitePath(root, rel, rel);
  }
  const stat = checked.stat;
  if (!stat) throw new UnsafePathError(`${rel}: ${checked.abs} vanished while it was being created`);
  const main = statSync(db.name);
  if (main.dev === stat.dev && main.ino === stat.ino) {
    throw new UnsafePathError(`${rel}: ${checked.abs} is the dashboard's database itself; set paths.archive to a folder of its own`);
  }
  db.prepare(`ATTACH DATABASE ? AS ${ARCHIVE_SCHEMA}`).run(checked.abs);
  verifySameFile(checked.abs, stat, rel);
  return true;
}

/** The source table's columns (generated ones included: their values are archived as shown). */
function describeSource(db: Db, t: DetectedTable): SourceShape {
  const columns = columnDetails(db, t.table);
  const clash = bookkeepingClash(columns.map((c) => c.name));
  if (clash) {
    const message = `table ${t.table} has a column ${clash}, a name the archive keeps for itself; rename it to archive this table`;
    throw Object.assign(new Error(message), { code: 'ERR_CLEANUP_ARCHIVE_COLUMN' });
  }
  const row = db.prepare(`SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = ?`).get(t.table) as { strict: number };
  return { columns, strict: row.strict === 1 };
}

/** Runs an archive step; operational failures become ArchiveError (a busy lock may be the dashboard's). */
function guardArchive<T>(rel: string, fn: () => T, blameBusy: boolean): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ArchiveError || !isOperationalError(err)) throw err;
    const code = String((err as { code?: unknown }).code ?? '');
    if (!blameBusy && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))) throw err;
    throw new ArchiveError(rel, err);
  }
}

/** The two statements of a batch's move, prepared once the layout is final (once per listing form). */
function createMove(
  ctx: RunContext,
  db: Db,
  t: DetectedTable,
  layout: ArchiveLayout,
  source: SourceShape,
  age: AgeSql,
  onArchive: <T>(fn: () => T, blameBusy?: boolean) => T,
  afterCopy?: () => void,
): (rowids: readonly RowId[]) => ReadonlySet<RowId> {
  registerRowDigest(db);
  const names = source.columns.map((c) => c.name);
  const id = t.rowidName;
  const copied = copyExistsSql(layout.versions, names, id);
  const cols = names.map(quoteIdent).join(', ');
  const forms = new Map<Listing, { copy: Statement; remove: Statement }>();
  const statements = (form: Listing) => {
    let found = forms.get(form);
    if (!found) {
      const still = `${listedSql(form, id)} AND ${conditionSql(t, 's.')} AND ${age.older} AND ${notReferencedSql(t.references, 's.')}`;
      const copy = db.prepare(
        `INSERT INTO ${ARCHIVE_SCHEMA}.${quoteIdent(layout.target.name)} (${cols}, ${[SOURCE_ROWID, RUN_ID, DIGEST].map(quoteIdent).join(', ')})
         SELECT ${names.map((c) => `s.${quoteIdent(c)}`).join(', ')}, s.${id}, @run, ${digestSql(names, 's.')}
         FROM main.${quoteIdent(t.table)} AS s NOT INDEXED WHERE ${still} AND NOT (${copied})`,
      );
      const remove = db.prepare(`DELETE FROM main.${quoteIdent(t.table)} AS s NOT INDEXED WHERE ${still} AND (${copied})`);
      found = { copy, remove };
      forms.set(form, found);
    }
    return found;
  };
  const left = stillThere(db, t);
  const copyTx = db.transaction((stmt: Statement, params: Record<string, unknown>) => stmt.run({ ...params, ...age.params, run: ctx.runId }));
  // IMMEDIATE: take the write lock up front so a busy dashboard makes us wait (busy_timeout), not fail.
  const removeTx = db.transaction(
    (stmt: Statement, params: Record<string, unknown>, rowids: readonly RowId[]) => left(rowids, rowids.length - stmt.run({ ...params, ...age.params }).changes),
  ).immediate;
  return (rowids) => {
    const listing = listingOf(rowids);
    const { copy, remove } = onArchive(() => statements(listing.form));
    // A refused insert (a CHECK, a NOT NULL, a trigger of the archive) is an error naming the archive.
    onArchive(() => copyTx(copy, listing.params), false);
    afterCopy?.();
    return removeTx(remove, listing.params, rowids);
  };
}

/**
 * SQL true when some archive version holds an identical copy of source row `s`: same source rowid
 * (a version of the earlier layout: same rowid) and every value identical. The digest is not
 * needed to decide this (the values are compared themselves), so it is computed once per copy.
 */
function copyExistsSql(versions: readonly ArchiveVersion[], names: readonly string[], id: string): string {
  if (versions.length === 0) return '0';
  return versions
    .map((v) => {
      // `+` strips the rowid's INTEGER affinity, which would otherwise apply to the untyped column and rule out its index.
      const key = v.keyed ? `a.${quoteIdent(SOURCE_ROWID)} = +s.${id}` : `a.${v.rowidName} = s.${id}`;
      const same = names.map((c) => {
        const archived = v.columns.get(c.toLowerCase());
        return archived ? sameValueSql(`a.${quoteIdent(archived)}`, `s.${quoteIdent(c)}`) : `s.${quoteIdent(c)} IS NULL`;
      });
      return `EXISTS (SELECT 1 FROM ${ARCHIVE_SCHEMA}.${quoteIdent(v.name)} AS a WHERE ${key} AND ${same.join(' AND ')})`;
    })
    .join(' OR ');
}
