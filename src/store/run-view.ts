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
import type { RunRecord, RunState, RunSummary } from './types.js';

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
  /** Both, after one change check (StateStore.runState). */
  runState(): RunState;
  /** Call after each write of the store (its commits are seen anyway; this also covers the ones still open). */
  written(): void;
  close(): void;
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
  const lastReal = cachedRead((): RunSummary | null => {
    const row = q.lastReal.get();
    return row ? toRunSummary(row) : null;
  });
  const held = cachedRead((): { lock: LockRow; run: RunRecord | null } | null => {
    const lock = q.lock.get();
    if (!lock) return null;
    const row = q.get.get(lock.run_id);
    return { lock, run: row ? toRunRecord(row) : null };
  });
  // Inside a transaction (which may write, then roll back) nothing is reused, nor kept.
  const version = () => (db.inTransaction ? null : probe.version());
  const running = (v: number | null) => {
    const h = held(v);
    return h && ownerAlive(h.lock.pid, h.lock.pid_start) ? h.run : null;
  };
  return {
    lastRealRun: () => lastReal(version()),
    runningRun: () => running(version()),
    runState() {
      const v = version();
      return { lastReal: lastReal(v), running: running(v) };
    },
    written: probe.bump,
    close: probe.close,
  };
}

/** `read`, reused while the version passed is the same; a null version: read, and keep nothing. */
function cachedRead<T>(read: () => T): (version: number | null) => T {
  let cached: { version: number; value: T } | null = null;
  return (version) => {
    if (version === null) return read();
    if (cached?.version !== version) cached = { version, value: read() };
    return cached.value;
  };
}
