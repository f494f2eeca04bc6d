/**
 * When is an archived row the source row, exactly (SPEC 3.11)? Same storage class and same bytes
 * in every column: SQLite's own `=` and `IS` are not enough, as they apply column affinity
 * (`'007' = 7` against an INTEGER column) and collation (`'A' IS 'a'` under NOCASE).
 *
 * The archive also keys each copy by (source rowid, digest): the digest is a SHA-256 over the
 * row's non-NULL values, each tagged with its column name (lower case, sorted) and storage class,
 * text as its raw bytes. Keyed by name and blind to NULLs, a row keeps its digest when the table
 * gains a column or its columns are reordered.
 */
import { createHash } from 'node:crypto';
import { type Db, quoteIdent } from './open.js';

/** The SQL function computing a row's digest (registered per connection by registerRowDigest). */
export const DIGEST_FUNCTION = 'cleanup_worker_row_digest';

const TYPE_TAG: Readonly<Record<string, number>> = { integer: 1, real: 2, text: 3, blob: 4 };

/** Registers DIGEST_FUNCTION on this connection (pairs of `'<typeof> <name>'`, value-or-text-bytes). */
export function registerRowDigest(db: Db): void {
  db.function(DIGEST_FUNCTION, { deterministic: true, varargs: true, safeIntegers: true }, (...args: unknown[]) =>
    rowDigest(args),
  );
}

/**
 * The digest SQL for a row: `columns` are read as `<qualifier><column>`, keyed by their lower-case
 * names. Two arguments per column: the storage class with the name, and the value (text as bytes).
 */
export function digestSql(columns: readonly string[], qualifier: string): string {
  const args = columns.map((c) => {
    const v = `${qualifier}${quoteIdent(c)}`;
    return `typeof(${v}) || ' ' || ${sqlString(c.toLowerCase())}, iif(typeof(${v}) = 'text', CAST(${v} AS BLOB), ${v})`;
  });
  return `${DIGEST_FUNCTION}(${args.join(', ')})`;
}

/** SQL true when `a` and `b` hold the same storage class and the same bytes (NULL equals NULL). */
export function sameValueSql(a: string, b: string): string {
  return `(typeof(${a}) = typeof(${b}) AND iif(typeof(${b}) = 'text', CAST(${a} AS BLOB) = CAST(${b} AS BLOB), ${a} IS ${b}))`;
}

/** A string literal for SQL text. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function rowDigest(args: readonly unknown[]): string {
  const parts: { name: string; type: string; bytes: Buffer }[] = [];
  for (let i = 0; i + 1 < args.length; i += 2) {
    const head = String(args[i]);
    const space = head.indexOf(' ');
    const type = head.slice(0, space);
    if (type === 'null') continue;
    parts.push({ name: head.slice(space + 1), type, bytes: valueBytes(args[i + 1]) });
  }
  parts.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const hash = createHash('sha256');
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const head = Buffer.alloc(9);
    head.writeUInt32BE(name.length, 0);
    head.writeUInt8(TYPE_TAG[p.type] ?? 0, 4);
    head.writeUInt32BE(p.bytes.length, 5);
    hash.update(head).update(name).update(p.bytes);
  }
  return hash.digest('hex');
}

/** Integers as 8 bytes two's complement, reals as IEEE-754 doubles, text and blobs as their bytes. */
function valueBytes(v: unknown): Buffer {
  if (typeof v === 'bigint') {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(v);
    return b;
  }
  if (typeof v === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return b;
  }
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from(String(v), 'utf8');
}
