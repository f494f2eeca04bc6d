/**
 * What else in the dashboard's database depends on a category's rows (SPEC 3.11): foreign keys
 * pointing at the table, and triggers that a DELETE on it would fire.
 *
 * The connection runs with foreign keys OFF (open.ts), so nothing cascades and nothing is
 * refused; this module is what keeps a referenced row instead. A row that any row of any table
 * references is kept and reported `referenced by <table>`, in the dry run and the real run alike,
 * and the DELETE re-checks it in SQL so a reference added after planning still keeps the row.
 *
 * A DELETE trigger on the category's table would run its own SQL for every removed row (and could
 * write to any table), so the category is skipped with a warning naming the trigger. There is no
 * setting to clean such a table anyway: drop or change the trigger, or clean it by hand.
 */
import { type Db, quoteIdent } from './open.js';

/** One foreign key pointing at the category's table: `from` columns of `table` match `to` columns. */
export interface Reference {
  table: string;
  from: string[];
  to: string[];
}

export type Dependents = { ok: true; references: Reference[] } | { ok: false; problem: string };

interface FkRow {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
}

/**
 * Every foreign key, of every table in `main` (the table itself included), that points at
 * `table` (names matched case-insensitively, as SQLite does). A key naming no columns points at
 * the primary key. Returns a problem (the category must be skipped) when a key cannot be
 * resolved to the table's columns, or when a DELETE trigger on the table would run other SQL.
 */
export function findDependents(db: Db, table: string): Dependents {
  const triggers = deleteTriggers(db, table);
  if (triggers.length > 0) {
    const names = triggers.join(', ');
    return { ok: false, problem: `table ${table} has ${triggers.length === 1 ? 'a DELETE trigger' : 'DELETE triggers'} ${names} that could change other tables` };
  }
  const references: Reference[] = [];
  const tables = db.prepare(`SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' ORDER BY name`).pluck().all() as string[];
  const fkStmt = db.prepare(`SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?, 'main') ORDER BY id, seq`);
  for (const other of tables) {
    const keys = new Map<number, FkRow[]>();
    for (const row of fkStmt.all(other) as FkRow[]) {
      if (row.table.toLowerCase() !== table.toLowerCase()) continue;
      keys.set(row.id, [...(keys.get(row.id) ?? []), row]);
    }
    for (const rows of keys.values()) {
      const to = rows.every((r) => r.to !== null) ? rows.map((r) => r.to as string) : primaryKey(db, table);
      if (to.length !== rows.length) {
        return { ok: false, problem: `a foreign key of table ${other} points at ${table} but does not match its columns (foreign key mismatch)` };
      }
      references.push({ table: other, from: rows.map((r) => r.from), to });
    }
  }
  return { ok: true, references };
}

/**
 * SQL (over the category table's own columns, optionally qualified) that is true when another
 * row references this row through `ref`. NULL never references: a NULL on either side makes the
 * IN operator NULL, which ifnull turns into false. A plain uncorrelated IN lets SQLite use an index
 * on the referencing columns when there is one, and otherwise build one per statement.
 */
export function referencedSql(ref: Reference, qualifier = ''): string {
  const tuple = (cols: readonly string[], q: string) => {
    const list = cols.map((c) => `${q}${quoteIdent(c)}`).join(', ');
    return cols.length === 1 ? list : `(${list})`;
  };
  const children = `SELECT ${ref.from.map((c) => `r.${quoteIdent(c)}`).join(', ')} FROM main.${quoteIdent(ref.table)} AS r`;
  return `ifnull(${tuple(ref.to, qualifier)} IN (${children}), 0)`;
}

/** SQL true when no row of any table references this row (`1` when nothing points at the table). */
export function notReferencedSql(refs: readonly Reference[], qualifier = ''): string {
  if (refs.length === 0) return '1';
  return `NOT (${refs.map((r) => referencedSql(r, qualifier)).join(' OR ')})`;
}

/**
 * For the given rows of `table` (by rowid), the tables whose rows reference each one: one
 * query for the whole batch. Rows nothing references are absent from the map.
 */
export function findReferencingTables(
  db: Db,
  table: string,
  rowidName: string,
  refs: readonly Reference[],
  rowidsJson: string,
): Map<bigint, string[]> {
  const found = new Map<bigint, string[]>();
  if (refs.length === 0) return found;
  const parts = refs.map(
    (ref, i) =>
      `SELECT s.${rowidName} AS id, ${i} AS ref FROM main.${quoteIdent(table)} AS s NOT INDEXED
       WHERE s.${rowidName} IN (SELECT value FROM json_each(@json)) AND ${referencedSql(ref, 's.')}`,
  );
  const rows = db.prepare(parts.join(' UNION ALL ')).safeIntegers(true).all({ json: rowidsJson }) as { id: bigint; ref: bigint }[];
  for (const row of rows) {
    const name = refs[Number(row.ref)]?.table as string;
    const list = found.get(row.id) ?? [];
    if (!list.includes(name)) list.push(name);
    found.set(row.id, list);
  }
  return found;
}

/** The primary key columns of a table, in key order (empty when it has none). */
function primaryKey(db: Db, table: string): string[] {
  return db
    .prepare(`SELECT name FROM pragma_table_info(?, 'main') WHERE pk > 0 ORDER BY pk`)
    .pluck()
    .all(table) as string[];
}

/**
 * Names of the triggers that fire on DELETE from `table`. The trigger's SQL is read up to its
 * BEGIN with comments, strings and quoted names blanked, so a name or a comment can neither hide
 * nor fake the DELETE event.
 */
export function deleteTriggers(db: Db, table: string): string[] {
  const rows = db
    .prepare(`SELECT name, sql FROM main.sqlite_master WHERE type = 'trigger' AND tbl_name = ? COLLATE NOCASE ORDER BY name`)
    .all(table) as { name: string; sql: string | null }[];
  return rows.filter((r) => r.sql === null || /\bDELETE\b/i.test(triggerHeader(r.sql))).map((r) => r.name);
}

/** The part of a CREATE TRIGGER before its body, with literals, quoted names and comments blanked. */
function triggerHeader(sql: string): string {
  const blanked = sql.replace(/--[^\n]*|\/\*[\s\S]*?(\*\/|$)|'(?:[^']|'')*'|"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]/g, ' _ ');
  const begin = blanked.search(/\bBEGIN\b/i);
  return begin < 0 ? blanked : blanked.slice(0, begin);
}
