/**
 * Schema auto-detection (SPEC section 1): per category, the first table that exists, then the
 * first column that exists. The per-category rules are rows in ROW_SPECS; the config file's
 * `tables.<category>` names the table and columns explicitly instead.
 */
import type { TableConfig } from '../../config/schema.js';
import { CATEGORY_LIST } from '../../domain/categories/index.js';
import type { RowCategory } from '../types.js';
import { type Db, quoteIdent } from './open.js';
import { findDependents, type Reference } from './references.js';

/** How a condition column says a row is finished with. */
export type ConditionKind = 'finished-status' | 'resolved-flag' | 'resolved-status';

export interface ConditionRule {
  kind: ConditionKind;
  /** Column names tried, in order. */
  columns: readonly string[];
}

export interface RowSpec {
  category: RowCategory;
  tables: readonly string[];
  /** Tried in order: the first rule with an existing column applies. Empty: every row qualifies. */
  conditions: readonly ConditionRule[];
  ageColumns: readonly string[];
}

/** One row per database category, read from its descriptor (domain/categories/<name>.ts `rows`). */
export const ROW_SPECS: Readonly<Record<RowCategory, RowSpec>> = Object.fromEntries(
  CATEGORY_LIST.flatMap((d) => (d.kind === 'rows' ? [[d.name, { category: d.name, ...d.rows }]] : [])),
) as unknown as Record<RowCategory, RowSpec>;

/** The table and columns one category uses in this database, with names as the schema spells them. */
export interface DetectedTable {
  category: RowCategory;
  table: string;
  condition: { kind: ConditionKind; column: string } | null;
  ageColumn: string;
  /** How SQL names the table's real rowid: `rowid`, unless a column took that name. */
  rowidName: string;
  /** Foreign keys of any table pointing at this one: rows they reference are kept. */
  references: Reference[];
}

export type Detection = { ok: true; table: DetectedTable } | { ok: false; warning: string };

/**
 * Finds the category's table and columns (read-only queries). Only ordinary tables of `main`
 * count: a view, a virtual table or a table of an attached database named like one is passed
 * over. Returns a warning naming what was looked for when something is missing, when the table
 * has no rowid (rows are addressed by rowid), or when deleting from it could change another
 * table (a DELETE trigger, an unresolvable foreign key: see references.ts).
 */
export function detectTable(db: Db, spec: RowSpec, config: TableConfig | undefined): Detection {
  const c = spec.category;
  const fail = (what: string): Detection => ({ ok: false, warning: `${c}: ${what}; ${c} skipped` });
  const names = config ? [config.table] : spec.tables;
  const table = findTable(db, names);
  if (!table) {
    const others = notTables(db, names);
    const looked = config ? `table ${config.table} (config tables.${c}.table) not found` : `no table found (looked for ${spec.tables.join(', ')})`;
    return fail(others.length > 0 ? `${looked}; ${others.join(', ')}` : looked);
  }
  if (isWithoutRowid(db, table)) return fail(`table ${table} is a WITHOUT ROWID table, which cannot be cleaned row by row`);
  const columns = columnNames(db, table);
  const rowidName = ROWID_NAMES.find((n) => !findName(columns, [n]));
  if (!rowidName) return fail(`table ${table} has columns named rowid, _rowid_ and oid, so its rows cannot be addressed`);
  const dependents = findDependents(db, table);
  if (!dependents.ok) return fail(dependents.problem);
  const conditions = config ? configConditions(spec, config) : spec.conditions;
  let condition: DetectedTable['condition'] = null;
  if (conditions.length > 0) {
    condition = findCondition(columns, conditions);
    if (!condition) return fail(`table ${table} has none of the columns ${conditions.flatMap((r) => r.columns).join(', ')}`);
  }
  const ageTried = config?.age_column ? [config.age_column] : spec.ageColumns;
  const ageColumn = findName(columns, ageTried);
  if (!ageColumn) return fail(`table ${table} has none of the age columns ${ageTried.join(', ')}`);
  return { ok: true, table: { category: c, table, condition, ageColumn, rowidName, references: dependents.references } };
}

/**
 * The SQL condition (over the detected table's own columns) that a row must meet to be removed,
 * apart from its age. `1` when every row qualifies (prompts).
 */
export function conditionSql(t: DetectedTable, qualifier = ''): string {
  if (!t.condition) return '1';
  const col = `${qualifier}${quoteIdent(t.condition.column)}`;
  const text = `lower(CAST(${col} AS TEXT))`;
  switch (t.condition.kind) {
    case 'finished-status':
      return `${text} IN ('completed', 'cancelled', 'canceled')`;
    case 'resolved-flag':
      return `(${col} = 1 OR ${text} IN ('1', 'true'))`;
    case 'resolved-status':
      return `${text} = 'resolved'`;
  }
}

/** The names SQL accepts for a rowid; a column of the same name hides it. */
const ROWID_NAMES = ['rowid', '_rowid_', 'oid'] as const;

/** Column names of a table (generated and hidden columns excluded), in schema order. */
export function columnInfo(db: Db, table: string, schema = 'main'): { name: string; type: string }[] {
  return db.prepare(`SELECT name, type FROM pragma_table_info(?, ?) ORDER BY cid`).all(table, schema) as {
    name: string;
    type: string;
  }[];
}

/** A column as pragma table_xinfo describes it. hidden: 0 plain, 1 hidden (virtual tables), 2/3 generated. */
export interface ColumnDetail {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
  hidden: number;
}

/** Every column a row shows (plain and generated; not the hidden columns of virtual tables), in schema order. */
export function columnDetails(db: Db, table: string, schema = 'main'): ColumnDetail[] {
  return db
    .prepare(`SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, ?) WHERE hidden <> 1 ORDER BY cid`)
    .all(table, schema) as ColumnDetail[];
}

/** The first of `names` that is an ordinary table in `schema`, spelled as the schema spells it; null if none. */
export function findTable(db: Db, names: readonly string[], schema = 'main'): string | null {
  const stmt = db.prepare(`SELECT name FROM pragma_table_list WHERE schema = ? AND type = 'table' AND name = ? COLLATE NOCASE`);
  for (const name of names) {
    const row = stmt.get(schema, name) as { name: string } | undefined;
    if (row) return row.name;
  }
  return null;
}

/** `x is a view` for each of `names` that exists in `main` as something other than an ordinary table. */
function notTables(db: Db, names: readonly string[]): string[] {
  const stmt = db.prepare(`SELECT name, type FROM pragma_table_list WHERE schema = 'main' AND name = ? COLLATE NOCASE`);
  return names.flatMap((n) => {
    const row = stmt.get(n) as { name: string; type: string } | undefined;
    if (!row) return [];
    return [row.type === 'view' ? `${row.name} is a view, not a table` : `${row.name} is a ${row.type} table, not an ordinary one`];
  });
}

/** The first of `wanted` among `columns` (case-insensitive, like SQLite), as the schema spells it. */
export function findName(columns: readonly string[], wanted: readonly string[]): string | null {
  for (const w of wanted) {
    const hit = columns.find((c) => c.toLowerCase() === w.toLowerCase());
    if (hit) return hit;
  }
  return null;
}

function columnNames(db: Db, table: string): string[] {
  return columnDetails(db, table).map((c) => c.name);
}

function findCondition(columns: readonly string[], rules: readonly ConditionRule[]): DetectedTable['condition'] {
  for (const rule of rules) {
    const column = findName(columns, rule.columns);
    if (column) return { kind: rule.kind, column };
  }
  return null;
}

/** Config-named condition columns replace the detected ones; unnamed ones are still detected. */
function configConditions(spec: RowSpec, config: TableConfig): readonly ConditionRule[] {
  if (spec.category === 'tasks' && config.status_column) {
    return [{ kind: 'finished-status', columns: [config.status_column] }];
  }
  if (spec.category === 'errors') {
    if (config.resolved_column) return [{ kind: 'resolved-flag', columns: [config.resolved_column] }];
    if (config.status_column) return [{ kind: 'resolved-status', columns: [config.status_column] }];
  }
  return spec.conditions;
}

function isWithoutRowid(db: Db, table: string): boolean {
  const row = db.prepare(`SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?`).get(table) as
    | { wr: number }
    | undefined;
  return row?.wr === 1;
}
