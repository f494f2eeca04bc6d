/**
 * "Has anything been committed to the state DB since I last looked?", answered for the price of
 * one small read instead of a SQLite statement, for the caches of GET /status (run-view.ts).
 *
 * Why not `PRAGMA data_version`: every SQLite statement opens and closes a read transaction, two
 * fcntl lock calls; /status made two statements (data_version, the lock row), and with its statfs
 * the handler took ~7.5 µs in the bench's server, against ~3.9 µs with one read of the header.
 *
 * How: in WAL mode, every connection of every process commits by writing the header of the
 * wal-index, the `-shm` file beside the database that all of them map: it holds a counter
 * incremented by each transaction, the last frame, and their checksums
 * (https://www.sqlite.org/walformat.html, "The WAL-Index Header"). SQLite itself decides whether
 * its cache is still valid by comparing that header with the copy it read last; a `pread` of
 * the same bytes through the page cache sees exactly what the mapped file holds. The header is
 * written before the commit returns, so a commit is visible to the next probe.
 *
 * Where that is not available (a memory database, another journal mode, a header that does not
 * look like SQLite's), the probe says "changed" on every call: no cache, a query each time.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';

/** The two copies of the wal-index header (48 bytes each): a writer updates the second, then the first. */
const HEADER_BYTES = 96;
/** WALINDEX_MAX_VERSION, the first field of the header (native byte order). */
const WAL_INDEX_VERSION = 3007000;
/** Offset of `isInit` (1 once the header is valid). */
const IS_INIT_OFFSET = 12;

export interface ChangeProbe {
  /**
   * A number that differs from any earlier answer when a transaction was committed since that
   * answer (by any connection, in any process) or `bump()` was called. Read it BEFORE reading
   * what it guards: a commit in between then only makes the next answer differ.
   */
  version(): number;
  /** Marks a change made by this connection (its commits change the header too: belt and braces). */
  bump(): void;
  /** True when `version()` can be trusted to stay the same (false: it changes on every call). */
  readonly cheap: boolean;
  close(): void;
}

/** A probe over `db`'s wal-index; call after the connection is in WAL mode and has been used once. */
export function createChangeProbe(db: Database.Database): ChangeProbe {
  let fd = openWalIndex(db);
  let version = 0;
  const seen = Buffer.alloc(HEADER_BYTES);
  const now = Buffer.alloc(HEADER_BYTES);
  if (fd !== null) readHeader(fd, seen);
  return {
    get cheap() {
      return fd !== null;
    },
    version() {
      if (fd === null || !readHeader(fd, now) || !now.equals(seen)) {
        now.copy(seen);
        version++;
      }
      return version;
    },
    bump() {
      version++;
    },
    /** Idempotent: a second close must not close a descriptor number reused since. */
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

/** Reads the header into `buf`; false when it could not be read whole (the caller then counts a change). */
function readHeader(fd: number, buf: Buffer): boolean {
  try {
    return readSync(fd, buf, 0, HEADER_BYTES, 0) === HEADER_BYTES;
  } catch {
    return false;
  }
}

/**
 * The open `-shm` file of `db`, read-only, or null when there is none to trust: not a file
 * database in WAL mode, no such regular file (links not followed), or a header that is not an
 * initialised SQLite wal-index.
 */
function openWalIndex(db: Database.Database): number | null {
  if (db.memory || String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') return null;
  let fd: number;
  try {
    // Resolved now, from the directory the connection was opened in (createStore runs right after).
    fd = openSync(`${path.resolve(db.name)}-shm`, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  const head = Buffer.alloc(HEADER_BYTES);
  if (fstatSync(fd).isFile() && readHeader(fd, head) && headerVersion(head) === WAL_INDEX_VERSION && head[IS_INIT_OFFSET] === 1) return fd;
  closeSync(fd);
  return null;
}

/** The header's first field, in this machine's byte order (the wal-index is never shared across machines). */
function headerVersion(head: Buffer): number {
  return os.endianness() === 'LE' ? head.readUInt32LE(0) : head.readUInt32BE(0);
}
