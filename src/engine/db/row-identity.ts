/**
 * When is an archived row the source row, exactly (SPEC 3.11)? Same storage class and same bytes
 * in every column: SQLite's own `=` and `IS` are not enough, as they apply column affinity
 * (`'007' = 7` against an INTEGER column) and collation (`'A' IS 'a'` under NOCASE).
 *
 * The archive also keys each copy by (source rowid, digest): the digest is a SHA-256 over the
 * row's non-NULL values, each tagged with its column name (lower case, sorted), written so that
 * storage classes differ and text keeps its raw bytes. Keyed by name and blind to NULLs, a row
 * keeps its digest when the table gains a column or its columns are reordered.
 */
import { hash } from 'node:crypto';
import { type Db, quoteIdent } from './open.js';

/** The SQL function computing a row's digest (registered per connection by registerRowDigest). */
export const DIGEST_FUNCTION = 'cleanup_worker_row_digest';

const EMPTY = Buffer.alloc(0);

/** Registers DIGEST_FUNCTION on this connection: the SHA-256 (hex) of one blob. */
export function registerRowDigest(db: Db): void {
  // crypto.hash (one call, no Hash object): the same hex digest in about half the time per row.
  db.function(DIGEST_FUNCTION, { deterministic: true }, (bytes: unknown) => hash('sha256', Buffer.isBuffer(bytes) ? bytes : EMPTY, 'hex'));
}

/**
 * The digest SQL for a row: `columns` are read as `<qualifier><column>`. The hashed bytes are, for
 * each non-NULL value in the order of the lower-case column names, `<length>:<name>=` and the
 * value as SQLite's quote() writes it (which tells the storage classes apart, keeps text and blob
 * bytes, and writes reals with every digit), then `;`. Built in SQL so the function gets one
 * argument: a per-value function call per row was most of an archive run's time.
 */
export function digestSql(columns: readonly string[], qualifier: string): string {
  const sorted = [...columns].sort((x, y) => compare(x.toLowerCase(), y.toLowerCase()));
  if (sorted.length === 0) return `${DIGEST_FUNCTION}(x'')`;
  const parts = sorted.map((c) => {
    const v = `${qualifier}${quoteIdent(c)}`;
    const name = c.toLowerCase();
    return `iif(${v} IS NULL, '', ${sqlString(`${Buffer.byteLength(name)}:${name}=`)} || quote(${v}) || ';')`;
  });
  return `${DIGEST_FUNCTION}(CAST(${parts.join(' || ')} AS BLOB))`;
}

/** SQL true when `a` and `b` hold the same storage class and the same bytes (NULL equals NULL). */
export function sameValueSql(a: string, b: string): string {
  return `(typeof(${a}) = typeof(${b}) AND iif(typeof(${b}) = 'text', CAST(${a} AS BLOB) = CAST(${b} AS BLOB), ${a} IS ${b}))`;
}

/** A string literal for SQL text. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}
