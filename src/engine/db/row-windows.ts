/**
 * The plan of a database category, one rowid window at a time: which rows of the window meet the
 * category's condition and are older than the cutoff (or have an age that cannot be read),
 * decided in SQL (age-sql.ts). A window holds at most BATCH_SIZE rows of the table; its upper
 * bound is found by stepping over rowids alone (no column is read).
 */
import type { AgeSql } from './age-sql.js';
import { type Db, quoteIdent } from './open.js';
import { type RowId, rowIdOf } from './row-executor.js';
import { conditionSql, type DetectedTable } from './schema.js';

/** The rows one window plans, in rowid order: `ms` is the age column in ms since the epoch, null when unreadable. */
export interface WindowPlan {
  ids: RowId[];
  ms: (number | null)[];
}

const MAX_ROWID = 2n ** 63n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Returns the next window's plan on each call, null after the last. A window whose rowids JSON
 * holds exactly (every real table's) comes back as two JSON arrays, one value each instead of a
 * JS row per database row; others are read row by row as bigints. NOT INDEXED pins the rowid
 * b-tree walk: an index on the condition column would not bound the window.
 */
export function createWindows(db: Db, t: DetectedTable, age: AgeSql, batchSize: number): () => WindowPlan | null {
  const id = t.rowidName;
  const table = `main.${quoteIdent(t.table)}`;
  const bound = db.prepare(`SELECT ${id} FROM ${table} WHERE ${id} >= ? ORDER BY ${id} LIMIT 1 OFFSET ${batchSize - 1}`).safeIntegers(true).pluck();
  const where = `FROM ${table} AS s NOT INDEXED
    WHERE s.${id} >= @lo AND s.${id} <= @hi AND ${conditionSql(t, 's.')} AND ${age.olderOrUnreadable}`;
  const asJson = db.prepare(`SELECT json_group_array(s.${id}) AS ids, json_group_array(${age.ms}) AS ms ${where}`);
  const asRows = db.prepare(`SELECT s.${id}, ${age.ms} ${where} ORDER BY s.${id}`).safeIntegers(true).raw();
  const first = db.prepare(`SELECT min(${id}) FROM ${table}`).safeIntegers(true).pluck();
  let started = false;
  let lo: bigint | null = null;
  return () => {
    if (!started) {
      started = true;
      lo = first.get() as bigint | null;
    }
    if (lo === null) return null;
    const hi = (bound.get(lo) as bigint | undefined) ?? MAX_ROWID;
    const params = { lo, hi, ...age.params };
    let plan: WindowPlan;
    if (lo >= -MAX_SAFE && hi <= MAX_SAFE) {
      const row = asJson.get({ ...params, lo: Number(lo), hi: Number(hi) }) as { ids: string; ms: string };
      plan = { ids: JSON.parse(row.ids) as number[], ms: JSON.parse(row.ms) as (number | null)[] };
    } else {
      const rows = asRows.all(params) as [bigint, bigint | number | null][];
      plan = { ids: rows.map((r) => rowIdOf(r[0])), ms: rows.map((r) => (r[1] === null ? null : Number(r[1]))) };
    }
    lo = hi === MAX_ROWID ? null : hi + 1n;
    return plan;
  };
}
