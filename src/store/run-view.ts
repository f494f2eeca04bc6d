/**
 * The two reads GET /status makes on every request, the last real run and the run holding the
 * lock, kept in memory and reused until the state DB changes (change-probe.ts: any commit, by
 * any connection in any process, or a write of this store). They answer exactly what a query
 * per call would: the cache is keyed on a probe read BEFORE the query; inside a transaction
 * (which may write and roll back) they always query; and the lock owner's liveness, which no
 * commit reports (a CLI run killed with SIGKILL), is checked on every call.
 */
import type Database from 'better-sqlite3';
import { createChangeProbe } from './change-probe.js';
import { type RowShape, SUMMARY_COLUMNS, type SummaryRowShape, toRunRecord, toRunSummary } from './records.js';
import type { RunRecord, RunSummary } from './types.js';

interface LockRow {
  run_id: string;
  pid: number;
  pid_start: string | null;
}

export interface RunView {
  /** The most recent finished real run (StateStore.lastRealRun). The object is shared: do not change it. */
  lastRealRun(): RunSummary | null;
  /** The run holding the lock if its owner is alive (StateStore.runningRun). Shared like lastRealRun's. */
  runningRun(): RunRecord | null;
  /** Call after each write of the store (its commits are seen anyway; this also covers the ones still open). */
  written(): void;
  close(): void;
}

interface Cached<T> {
  version: number;
  value: T;
}

/** A view over `db`; `ownerAlive` tells whether the lock's owner still runs (process-identity.ts). */
export function createRunView(db: Database.Database, ownerAlive: (pid: number, start: string | null) => boolean): RunView {
  const q = {
    lastReal: db.prepare<[], SummaryRowShape>(
      `SELECT ${SUMMARY_COLUMNS} FROM runs WHERE dry_run = 0 AND finished_at IS NOT NULL AND stats IS NOT NULL
         AND status IN ('succeeded', 'partial', 'failed', 'interrupted') ORDER BY id DESC LIMIT 1`,
    ),
    lock: db.prepare<[], LockRow>('SELECT run_id, pid, pid_start FROM lock WHERE id = 1'),
    get: db.prepare<[string], RowShape>('SELECT * FROM runs WHERE run_id = ?'),
  };
  const probe = createChangeProbe(db);
  const readLastReal = (): RunSummary | null => {
    const row = q.lastReal.get();
    return row ? toRunSummary(row) : null;
  };
  const readHeld = (): { lock: LockRow; run: RunRecord | null } | null => {
    const lock = q.lock.get();
    if (!lock) return null;
    const row = q.get.get(lock.run_id);
    return { lock, run: row ? toRunRecord(row) : null };
  };
  const lastReal = cachedRead(db, probe.version, readLastReal);
  const held = cachedRead(db, probe.version, readHeld);
  return {
    lastRealRun: lastReal,
    runningRun() {
      const h = held();
      return h && ownerAlive(h.lock.pid, h.lock.pid_start) ? h.run : null;
    },
    written: probe.bump,
    close: probe.close,
  };
}

/** `read`, reused while `version()` stays the same; never reused inside a transaction. */
function cachedRead<T>(db: Database.Database, version: () => number, read: () => T): () => T {
  let cached: Cached<T> | null = null;
  return () => {
    if (db.inTransaction) return read();
    const v = version();
    if (cached?.version !== v) cached = { version: v, value: read() };
    return cached.value;
  };
}
