/**
 * The archive's tables (archive/prompts.db), their versions, and their migration.
 *
 * Layout: a table named like the source (`assigner_prompts`) with the source's columns, declared
 * WITHOUT types (no affinity, so SQLite stores every value exactly as given), followed by three
 * bookkeeping columns: `_cleanup_source_rowid` (the row's rowid in the dashboard), `_cleanup_run_id`
 * (the run that archived it) and `_cleanup_digest` (row-identity.ts), with a UNIQUE index on
 * (source rowid, digest). The archive's own rowid is its own: the dashboard reuses rowids.
 *
 * An existing table that could change a value or refuse a copy (a column declared with an
 * affinity other than the source's, a primary key, NOT NULL or unique index on a copied column,
 * a generated column, a trigger, a view) is left as it is and the next version is used instead:
 * `<table>_v2`, `<table>_v3`, … Every version stays readable, so a copy made into an earlier
 * version is still found (never copied twice).
 */
import { type Db, quoteIdent } from './open.js';
import { digestSql, registerRowDigest } from './row-identity.js';
import type { ColumnDetail } from './schema.js';
import { columnDetails } from './schema.js';

export const ARCHIVE_SCHEMA = 'cleanup_archive';
export const SOURCE_ROWID = '_cleanup_source_rowid';
export const RUN_ID = '_cleanup_run_id';
export const DIGEST = '_cleanup_digest';
const BOOKKEEPING = [SOURCE_ROWID, RUN_ID, DIGEST];

/** One existing archive table version that may hold copies. */
export interface ArchiveVersion {
  name: string;
  /** Has the bookkeeping columns (made or migrated by this code); otherwise keyed by its rowid. */
  keyed: boolean;
  /** How SQL names its rowid (a column may have taken `rowid`). */
  rowidName: string;
  /** Its columns by lower-case name. */
  columns: Map<string, string>;
  /** A STRICT table: a column added to it needs a type, ANY (which keeps values as given). */
  strict: boolean;
}

export interface ArchiveLayout {
  /** The table copies go into, and whether it exists yet. */
  target: { name: string; exists: boolean };
  /** Every existing version, the target's included when it exists. */
  versions: ArchiveVersion[];
  /** Why earlier versions are not written to (empty when the target is the first name). */
  notes: string[];
}

/** Source columns whose names the archive keeps for itself: a source using one cannot be archived. */
export function bookkeepingClash(sourceColumns: readonly string[]): string | null {
  return sourceColumns.find((c) => BOOKKEEPING.includes(c.toLowerCase())) ?? null;
}

/** Reads the archive's versions of `table` (read-only). `source` describes the dashboard's table. */
export function inspectArchive(db: Db, table: string, source: SourceShape): ArchiveLayout {
  const versions: ArchiveVersion[] = [];
  const notes: string[] = [];
  let target: ArchiveLayout['target'] | null = null;
  for (let n = 1; ; n++) {
    const name = n === 1 ? table : `${table}_v${n}`;
    const kind = objectKind(db, name);
    if (kind === null) {
      target ??= { name, exists: false };
      break;
    }
    const version = kind === 'table' ? describeVersion(db, name) : null;
    if (version) versions.push(version);
    if (target) continue;
    let problems: string[];
    if (version) problems = incompatibilities(db, name, source);
    else problems = [kind === 'table' ? 'its columns hide its rowid' : `it is ${kind}`];
    if (problems.length === 0) target = { name, exists: true };
    else notes.push(`${name} is not used because ${problems.join(', ')}`);
  }
  return { target, versions, notes };
}

/** What the archive needs to know about the dashboard's table. */
export interface SourceShape {
  columns: ColumnDetail[];
  strict: boolean;
}

/**
 * Makes the target exist in the archive's current shape, in one transaction: creates it, or adds
 * the source columns it lacks (without a type) and, for a table made by earlier versions of this
 * code (keyed by rowid only), the bookkeeping columns, filled for its rows (source rowid = its
 * rowid, digest of its values), and the unique key. Returns the layout as it now is.
 */
export function prepareTarget(db: Db, table: string, source: SourceShape): ArchiveLayout {
  registerRowDigest(db);
  const layout = inspectArchive(db, table, source);
  const target = `${ARCHIVE_SCHEMA}.${quoteIdent(layout.target.name)}`;
  const names = source.columns.map((c) => c.name);
  db.transaction(() => {
    if (!layout.target.exists) {
      db.exec(`CREATE TABLE ${target} (${[...names, ...BOOKKEEPING].map(quoteIdent).join(', ')})`);
    } else {
      const version = layout.versions.find((v) => v.name === layout.target.name) as ArchiveVersion;
      const type = version.strict ? ' ANY' : '';
      for (const c of names) if (!version.columns.has(c.toLowerCase())) db.exec(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(c)}${type}`);
      if (!version.keyed) migrateVersion(db, target, version, names);
    }
    const index = `${ARCHIVE_SCHEMA}.${quoteIdent(`${layout.target.name}_cleanup_key`)}`;
    db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS ${index} ON ${quoteIdent(layout.target.name)} (${quoteIdent(SOURCE_ROWID)}, ${quoteIdent(DIGEST)})`);
  })();
  return inspectArchive(db, table, source);
}

/** A table written by the code before versions: its rowid was the source rowid. */
function migrateVersion(db: Db, target: string, version: ArchiveVersion, sourceNames: readonly string[]): void {
  const type = version.strict ? ' ANY' : '';
  for (const c of BOOKKEEPING) if (!version.columns.has(c)) db.exec(`ALTER TABLE ${target} ADD COLUMN ${quoteIdent(c)}${type}`);
  db.exec(
    `UPDATE ${target} SET ${quoteIdent(SOURCE_ROWID)} = ${version.rowidName}, ${quoteIdent(DIGEST)} = ${digestSql(sourceNames, '')}
     WHERE ${quoteIdent(SOURCE_ROWID)} IS NULL`,
  );
}

/** 'table' for an ordinary rowid table, else what the name is (a view, an index, …); null when free. */
function objectKind(db: Db, name: string): string | null {
  const listed = db
    .prepare(`SELECT type, wr FROM pragma_table_list WHERE schema = ? AND name = ? COLLATE NOCASE`)
    .get(ARCHIVE_SCHEMA, name) as { type: string; wr: number } | undefined;
  if (listed) {
    if (listed.type === 'table') return listed.wr ? 'a WITHOUT ROWID table' : 'table';
    return listed.type === 'view' ? 'a view' : `a ${listed.type} table`;
  }
  const other = db
    .prepare(`SELECT type FROM ${ARCHIVE_SCHEMA}.sqlite_master WHERE name = ? COLLATE NOCASE`)
    .get(name) as { type: string } | undefined;
  return other ? `the name of an ${other.type}` : null;
}

function describeVersion(db: Db, name: string): ArchiveVersion | null {
  const cols = columnDetails(db, name, ARCHIVE_SCHEMA);
  const columns = new Map(cols.map((c) => [c.name.toLowerCase(), c.name]));
  const rowidName = ['rowid', '_rowid_', 'oid'].find((r) => !columns.has(r));
  if (!rowidName) return null;
  return { name, keyed: columns.has(SOURCE_ROWID) && columns.has(DIGEST), rowidName, columns, strict: isStrict(db, name) };
}

/** Why copies into an existing table could differ from the source, or be refused; empty when none. */
function isStrict(db: Db, name: string): boolean {
  const row = db.prepare(`SELECT strict FROM pragma_table_list WHERE schema = ? AND name = ?`).get(ARCHIVE_SCHEMA, name) as { strict: number };
  return row.strict === 1;
}

function incompatibilities(db: Db, name: string, source: SourceShape): string[] {
  const strict = isStrict(db, name);
  const archived = columnDetails(db, name, ARCHIVE_SCHEMA);
  const bySource = new Map(source.columns.map((c) => [c.name.toLowerCase(), c]));
  const problems: string[] = [];
  for (const a of archived) {
    const s = bySource.get(a.name.toLowerCase());
    if (!s) {
      if (a.notnull && a.dflt_value === null && !BOOKKEEPING.includes(a.name.toLowerCase())) problems.push(`column ${a.name} is NOT NULL without a default`);
      continue;
    }
    const kept = affinity(a.type, strict);
    if (a.hidden !== 0) problems.push(`column ${a.name} is generated`);
    else if (kept !== 'none' && kept !== affinity(s.type, source.strict)) {
      problems.push(`column ${a.name} is declared ${a.type}${strict ? ' (STRICT)' : ''}, which could change the source's values`);
    }
    if (a.pk > 0) problems.push(`column ${a.name} is its primary key`);
    else if (a.notnull && !s.notnull) problems.push(`column ${a.name} is NOT NULL`);
  }
  const unique = db
    .prepare(`SELECT name FROM pragma_index_list(?, ?) WHERE "unique" = 1 AND origin <> 'pk' AND name <> ?`)
    .pluck()
    .all(name, ARCHIVE_SCHEMA, `${name}_cleanup_key`) as string[];
  for (const u of unique) problems.push(`it has the unique index ${u}`);
  // A trigger could drop, change or delete copies: the copy must be the plain INSERT it looks like.
  const triggers = db
    .prepare(`SELECT name FROM ${ARCHIVE_SCHEMA}.sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE ORDER BY name`)
    .pluck()
    .all(name) as string[];
  for (const trg of triggers) problems.push(`it has the trigger ${trg}`);
  return problems;
}

/**
 * The affinity SQLite gives a declared type (https://sqlite.org/datatype3.html, 3.1); 'none' stores
 * values as given. In a STRICT table every type but ANY checks (and converts) values.
 */
export function affinity(type: string, strict: boolean): string {
  const t = type.toUpperCase();
  if (strict) return t === 'ANY' ? 'none' : `strict ${t}`;
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'text';
  if (t.includes('BLOB') || t === '') return 'none';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'real';
  return 'numeric';
}
