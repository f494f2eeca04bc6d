/**
 * The contract between the row sweep (row-cleanup.ts) and the executors it drives (the deleter
 * there, the archiver in archive.ts), and the SQL both use to touch exactly the planned rows. In
 * its own file so the two need not import each other.
 */
import { type Db, quoteIdent, rowidsJson } from './open.js';
import type { DetectedTable } from './schema.js';

/**
 * A rowid: a number when JSON and JS hold it exactly (|rowid| <= 2^53 - 1, every real table),
 * else a bigint. rowIdOf makes every rowid that enters a Set or Map take the same form.
 */
export type RowId = number | bigint;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The one form of a rowid read as a bigint. */
export function rowIdOf(v: bigint | number): RowId {
  return typeof v === 'number' || (v >= -MAX_SAFE && v <= MAX_SAFE) ? Number(v) : v;
}

/** A row the planner wants removed. */
export interface PlannedRow {
  rowid: RowId;
  action: 'delete' | 'archive';
  reason: string;
}

/**
 * A sink for planned rows (engine/sinks.ts): the deleter and the archiver remove them, the list
 * sink of a dry run takes them all and removes none.
 */
export interface RowExecutor {
  /** Planned rows that must be kept anyway, with the reason (asked in dry and real runs alike). */
  conflicts(rowids: readonly RowId[]): Map<RowId, string>;
  /**
   * Takes the rows (in rowid order): removes those that still qualify, in SQL; returns the
   * rowids it kept (usually none).
   */
  execute(rowids: readonly RowId[]): ReadonlySet<RowId>;
  /**
   * A dry run's read-only look, asked before its conflicts with the rows that would go: what
   * the real run would warn about (the archiver reads an existing archive's versions).
   */
  preview?(): void;
}

/** The empty set: every row was taken. */
export const NONE_KEPT: ReadonlySet<RowId> = new Set();

/** Listed rows spanning more rowids than this are named in JSON instead of a mask. */
const MASK_MAX = 1 << 20;

/**
 * How a statement names exactly the listed rows of `s`: `mask` (a byte per rowid between the
 * first and the last, 1 for a listed row: a range scan with one byte read per row, several
 * times cheaper than an IN list) or `json` (an IN list, for rowids that are far apart or
 * beyond 2^53). Each form has its own SQL, so a caller prepares one statement per form.
 */
export type Listing = 'mask' | 'json';

/** SQL true for the listed rows of alias `s`, in `form`; the parameters come from listingParams. */
export function listedSql(form: Listing, rowidName: string): string {
  const id = `s.${rowidName}`;
  if (form === 'json') return `${id} IN (SELECT value FROM json_each(@list_json))`;
  return `${id} >= @list_lo AND ${id} <= @list_hi AND substr(@list_mask, ${id} - @list_lo + 1, 1) = X'01'`;
}

/** The form and parameters naming `rowids` (ascending). */
export function listingOf(rowids: readonly RowId[]): { form: Listing; params: Record<string, unknown> } {
  const lo = rowids[0];
  const hi = rowids.at(-1);
  if (typeof lo === 'number' && typeof hi === 'number' && hi - lo < MASK_MAX && rowids.every((r) => typeof r === 'number')) {
    const mask = Buffer.alloc(hi - lo + 1);
    for (const r of rowids as readonly number[]) mask[r - lo] = 1;
    return { form: 'mask', params: { list_lo: lo, list_hi: hi, list_mask: mask } };
  }
  return { form: 'json', params: { list_json: rowidsJson(rowids) } };
}

/**
 * For a DELETE restricted to the listed rows, run in the same transaction just before: which of
 * them are still in the table. The DELETE removes only listed rows, so when it removed as many as
 * were listed (`missing` 0), none is left and nothing is read; otherwise the rows still there are
 * the ones it kept.
 */
export function stillThere(db: Db, t: DetectedTable): (rowids: readonly RowId[], missing: number) => ReadonlySet<RowId> {
  const id = t.rowidName;
  const stmt = db
    .prepare(`SELECT j.value FROM json_each(?) AS j WHERE EXISTS (SELECT 1 FROM main.${quoteIdent(t.table)} WHERE ${id} = j.value)`)
    .safeIntegers(true)
    .pluck();
  return (rowids, missing) => (missing === 0 ? NONE_KEPT : new Set((stmt.all(rowidsJson(rowids)) as bigint[]).map(rowIdOf)));
}
