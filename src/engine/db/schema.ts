/**
 * Schema auto-detection (SPEC section 1): per category, the first table that exists, then the
 * first column that exists. The per-category rules are rows in ROW_SPECS; the config file's
 * `tables.<category>` names the table and columns explicitly instead.
 */
import type { TableConfig } from '../../config/schema.js';
import { CATEGORY_LIST } from '../../domain/categories/index.js';
import type { RowCategory } from '../types.js';
import { type Db, quoteIdent } from './open.js';

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
}

export type Detection = { ok: true; table: DetectedTable } | { ok: false; warning: string };

/**
 * Finds the category's table and columns (read-only queries). Returns a warning naming what was
 * looked for when something is missing, or when the table has no rowid (rows are addressed by rowid).
 */
export function detectTable(db: Db, spec: RowSpec, config: TableConfig | undefined): Detection {
  const c = spec.category;
  const fail = (what: string): Detection => ({ ok: false, warning: `${c}: ${what}; ${c} skipped` });
  const table = findTable(db, config ? [config.table] : spec.tables);
  if (!table) {
    return fail(config ? `table ${config.table} (config tables.${c}.table) not found` : `no table found (looked for ${spec.tables.join(', ')})`);
  }
  if (isWithoutRowid(db, table)) return fail(`table ${table} is a WITHOUT ROWID table, which cannot be cleaned row by row`);
  const columns = columnNames(db, table);
  const conditions = config ? configConditions(spec, config) : spec.conditions;
  let condition: DetectedTable['condition'] = null;
  if (conditions.length > 0) {
    condition = findCondition(columns, conditions);
    if (!condition) return fail(`table ${table} has none of the columns ${conditions.flatMap((r) => r.columns).join(', ')}`);
  }
  const ageTried = config?.age_column ? [config.age_column] : spec.ageColumns;
  const ageColumn = findName(columns, ageTried);
  if (!ageColumn) return fail(`table ${table} has none of the age columns ${ageTried.join(', ')}`);
  return { ok: true, table: { category: c, table, condition, ageColumn } };
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

/** Column names of a table (generated and hidden columns excluded), in schema order. */
export function columnInfo(db: Db, table: string, schema = 'main'): { name: string; type: string }[] {
  return db.prepare(`SELECT name, type FROM pragma_table_info(?, ?) ORDER BY cid`).all(table, schema) as {
    name: string;
    type: string;
  }[];
}

/** The first of `names` that is a table in `schema`, spelled as the schema spells it; null if none. */
export function findTable(db: Db, names: readonly string[], schema = 'main'): string | null {
  const stmt = db.prepare(
    `SELECT name FROM ${quoteIdent(schema)}.sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE`,
  );
  for (const name of names) {
    const row = stmt.get(name) as { name: string } | undefined;
    if (row) return row.name;
  }
  return null;
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
  return columnInfo(db, table).map((c) => c.name);
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
