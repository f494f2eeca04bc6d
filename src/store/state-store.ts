/**
 * The state store: `<root>/.cleanup/state.db` (SQLite, WAL) holding every run, every item
 * it removed, and the one-run-at-a-time lock shared by every process on the machine.
 *
 * The lock is a single row taken inside a `BEGIN IMMEDIATE` transaction, so two processes
 * can never both take it; its owner is identified by pid plus the process start time from
 * /proc (so a recycled pid is not mistaken for a live owner). A lock whose owner is gone is
 * taken over and its run marked `interrupted`.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Settings } from '../config/settings.js';
import type { Item } from '../domain/types.js';
import { decodeBlock, encodeBlock } from './item-blocks.js';
import { createOutbox, OUTBOX_MIGRATION } from './outbox.js';
import { isProcessAlive, processStartTime } from './process-identity.js';
import { confirmStateFile, prepareStateFile, StateUnavailableError } from './state-location.js';
import { type RowShape, toPayload, toRunRecord } from './records.js';
import { createRunView } from './run-view.js';
import { PANEL_MIGRATIONS } from './panel-migrations.js';
import { TRASH_MIGRATIONS } from './trash-migrations.js';
import { createPlanStore, PLAN_MIGRATIONS } from './plan-store.js';
import { prepareCategoryTotals } from './run-totals.js';
import { BusyError, type FinishRun, type RunProgress, type StartRun, type StateStore } from './types.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL UNIQUE,
     trigger TEXT NOT NULL,
     dry_run INTEGER NOT NULL,
     started_at TEXT NOT NULL,
     finished_at TEXT,
     status TEXT NOT NULL,
     stats TEXT,
     items_total INTEGER NOT NULL DEFAULT 0,
     skipped_total INTEGER NOT NULL DEFAULT 0,
     errors_total INTEGER NOT NULL DEFAULT 0,
     pid INTEGER NOT NULL,
     pid_start TEXT,
     settings TEXT,
     warnings TEXT,
     skipped TEXT,
     errors TEXT,
     progress TEXT
   );
   CREATE INDEX runs_real_finished ON runs (dry_run, status, id);
   CREATE TABLE run_items (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     run_id TEXT NOT NULL,
     category TEXT NOT NULL,
     target TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     action TEXT NOT NULL,
     reason TEXT NOT NULL
   );
   CREATE INDEX run_items_run ON run_items (run_id, id);
   CREATE TABLE lock (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     run_id TEXT NOT NULL,
     pid INTEGER NOT NULL,
     pid_start TEXT,
     acquired_at TEXT NOT NULL
   );`,
  // A run's items are contiguous ids (one run at a time holds the lock): paging by id arithmetic
  // instead of OFFSET keeps a page deep in a million-item run as fast as the first.
  `ALTER TABLE runs ADD COLUMN items_first_id INTEGER;
   ALTER TABLE runs ADD COLUMN items_last_id INTEGER;`,
  // Items are stored in blocks (one row per appendItems call, usually 1000 items), not one row
  // each: a row per item cost ~3.4 µs and two b-tree inserts, the largest share of a big run's
  // main-thread time. A block holds its items' position in the run, so any page is found with
  // one index probe. Existing items become one-item blocks, in their order.
  `CREATE TABLE run_item_blocks (
     id INTEGER PRIMARY KEY,
     run_id TEXT NOT NULL,
     first_index INTEGER NOT NULL,
     count INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE UNIQUE INDEX run_item_blocks_run ON run_item_blocks (run_id, first_index);
   INSERT INTO run_item_blocks (run_id, first_index, count, data)
     SELECT run_id, row_number() OVER (PARTITION BY run_id ORDER BY id) - 1, 1,
            json_object('keys', json_array(json_array(category, action, reason)), 't', json_array(target),
                        'b', json_array(bytes), 'k', json_array(0))
       FROM run_items ORDER BY run_id, id;
   DROP TABLE run_items;
   ALTER TABLE runs DROP COLUMN items_first_id;
   ALTER TABLE runs DROP COLUMN items_last_id;`,
  // Notifications: events written with the run that raises them, deliveries, attempts (outbox.ts).
  OUTBOX_MIGRATION,
  // What the retention policy kept and why (issue 12): a capped list like `skipped`.
  `ALTER TABLE runs ADD COLUMN kept TEXT;
   ALTER TABLE runs ADD COLUMN kept_total INTEGER NOT NULL DEFAULT 0;`,
  ...PANEL_MIGRATIONS,
  ...TRASH_MIGRATIONS,
  // Plans applied and refused runs (issues 14 and 15): store/plan-store.ts.
  ...PLAN_MIGRATIONS,
];

/** The schema version a state database has once every migration ran. */
export const STATE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) the state database of a root; the root itself must exist. Every
 * component from the root is checked (state-location.ts): throws UnsafePathError for a link on
 * the way, StateUnavailableError when the state folder cannot be created or written.
 */
export function openStateStore(settings: Settings): StateStore {
  const file = prepareStateFile(settings);
  const store = openStateStoreAt(file.abs);
  try {
    confirmStateFile(settings, file);
  } catch (err) {
    store.close();
    throw err;
  }
  return store;
}

/**
 * A state store that lives in memory only: for a dry run on a root whose state folder cannot be
 * written (a dry run deletes nothing, so it needs neither the shared lock nor a lasting record).
 */
export function openMemoryStateStore(): StateStore {
  return openStateStoreAt(':memory:');
}

/** Opens a state database at an explicit file path (tests, tools). */
export function openStateStoreAt(file: string): StateStore {
  let db: Database.Database | null = null;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 10000');
    db.pragma('synchronous = NORMAL');
    migrate(db);
    return createStore(db);
  } catch (err) {
    db?.close();
    // "file is not a database" alone does not say which file, nor that no run can start without it.
    if (!(err instanceof Database.SqliteError)) throw err;
    if (err.code.startsWith('SQLITE_READONLY')) {
      throw new StateUnavailableError(`state database ${file} cannot be written (${err.message})`, { cause: err });
    }
    throw new Error(`state database ${file} cannot be used (${err.message}); move it aside to start a new run history`, { cause: err });
  }
}

function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

interface LockRow {
  run_id: string;
  pid: number;
  pid_start: string | null;
}

function createStore(db: Database.Database): StateStore {
  const myPid = process.pid;
  const myStart = processStartTime(myPid);
  const q = {
    lock: db.prepare<[], LockRow>('SELECT run_id, pid, pid_start FROM lock WHERE id = 1'),
    takeLock: db.prepare('INSERT OR REPLACE INTO lock (id, run_id, pid, pid_start, acquired_at) VALUES (1, ?, ?, ?, ?)'),
    freeLock: db.prepare('DELETE FROM lock WHERE id = 1 AND run_id = ?'),
    nextIndex: db.prepare<[string], number>(
      'SELECT first_index + count FROM run_item_blocks WHERE run_id = ? ORDER BY first_index DESC LIMIT 1',
    ).pluck(),
    insertBlock: db.prepare('INSERT INTO run_item_blocks (run_id, first_index, count, data) VALUES (?, ?, ?, ?)'),
    // The blocks holding items [offset, offset + limit): from the one containing `offset` on.
    blocksFrom: db.prepare<[string, string, number, number], { first_index: number; data: string }>(
      `SELECT first_index, data FROM run_item_blocks
        WHERE run_id = ? AND first_index >= (SELECT coalesce(max(first_index), 0) FROM run_item_blocks WHERE run_id = ? AND first_index <= ?)
          AND first_index < ? ORDER BY first_index`,
    ),
    insertRun: db.prepare(
      `INSERT INTO runs (run_id, trigger, dry_run, started_at, status, pid, pid_start, settings, progress)
       VALUES (?, ?, ?, ?, 'running', ?, ?, ?, NULL)`,
    ),
    interrupt: db.prepare(
      `UPDATE runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE run_id = ? AND status = 'running'`,
    ),
    runningRows: db.prepare<[], { run_id: string; pid: number; pid_start: string | null }>(
      `SELECT run_id, pid, pid_start FROM runs WHERE status = 'running'`,
    ),
    progress: db.prepare('UPDATE runs SET progress = ?, items_total = ? WHERE run_id = ?'),
    finish: db.prepare(
      `UPDATE runs SET status = ?, finished_at = ?, stats = ?, items_total = ?, skipped_total = ?, errors_total = ?,
         warnings = ?, skipped = ?, errors = ?, kept = ?, kept_total = ?, space_trashed_mb = ?, progress = NULL WHERE run_id = ?`,
    ),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM runs'),
    list: db.prepare<[number, number], RowShape>('SELECT * FROM runs ORDER BY id DESC LIMIT ? OFFSET ?'),
    get: db.prepare<[string], RowShape>('SELECT * FROM runs WHERE run_id = ?'),
    lastSuccess: db.prepare<[], string>(
      `SELECT finished_at FROM runs WHERE dry_run = 0 AND status = 'succeeded' AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1`,
    ).pluck(),
  };
  const outbox = createOutbox(db);
  const plans = createPlanStore(db);

  const totals = prepareCategoryTotals(db);
  const ownerAlive = (pid: number, start: string | null) => isProcessAlive(pid, start);

  // lastRealRun and runningRun are read on every /status request: cached until the DB changes.
  const view = createRunView(db, ownerAlive);
  const written = <T>(v: T): T => {
    view.written();
    return v;
  };

  const startRun = db.transaction((run: StartRun): string => {
    // A plan already taken is refused as such, even while the run applying it holds the lock.
    if (run.applyPlanId) plans.checkUnclaimed(run.applyPlanId);
    const held = q.lock.get();
    if (held) {
      if (ownerAlive(held.pid, held.pid_start)) {
        const row = q.get.get(held.run_id);
        throw new BusyError(held.run_id, row?.trigger ?? null, held.pid);
      }
      q.interrupt.run(new Date().toISOString(), held.run_id);
    }
    const runId = randomUUID();
    // Stamped while holding the write lock: a run's start is never before the previous one's finish.
    const startedAt = new Date().toISOString();
    q.insertRun.run(runId, run.trigger, run.dryRun ? 1 : 0, startedAt, myPid, myStart, JSON.stringify(run.settings));
    q.takeLock.run(runId, myPid, myStart, startedAt);
    if (run.applyPlanId) plans.claim(run.applyPlanId, runId, startedAt);
    return runId;
  });

  const appendItems = db.transaction((runId: string, items: readonly Item[]) => {
    q.insertBlock.run(runId, q.nextIndex.get(runId) ?? 0, items.length, encodeBlock(items));
    totals.add(runId, items);
  });

  const finishRun = db.transaction((runId: string, r: FinishRun) => {
    q.finish.run(
      r.status,
      r.finishedAt,
      JSON.stringify(r.stats),
      r.itemsTotal,
      r.skippedTotal,
      r.errorsTotal,
      JSON.stringify(r.warnings),
      JSON.stringify(r.skipped),
      JSON.stringify(r.errors),
      JSON.stringify(r.kept ?? []),
      r.keptTotal ?? 0,
      r.spaceTrashedMb ?? 0,
      runId,
    );
    const row = q.get.get(runId);
    // The run's notification events commit with its result: neither exists without the other.
    if (row) outbox.recordRun(toPayload(row, r), r.events);
    q.freeLock.run(runId);
  });

  const markInterrupted = db.transaction((): number => {
    let n = 0;
    const now = new Date().toISOString();
    for (const row of q.runningRows.all()) {
      if (ownerAlive(row.pid, row.pid_start)) continue;
      n += q.interrupt.run(now, row.run_id).changes;
      q.freeLock.run(row.run_id);
    }
    const held = q.lock.get();
    if (held && !ownerAlive(held.pid, held.pid_start)) q.freeLock.run(held.run_id);
    return n;
  });

  return {
    startRun: (run) => written(startRun.immediate(run)),
    appendItems: (runId, items) => {
      if (items.length) written(appendItems.immediate(runId, items));
    },
    updateProgress: (runId: string, p: RunProgress) => {
      written(q.progress.run(JSON.stringify(p), p.items_so_far, runId));
    },
    finishRun: (runId, r) => written(finishRun.immediate(runId, r)),
    markInterrupted: () => written(markInterrupted.immediate()),
    listRuns(limit, offset) {
      const total = q.count.get()?.n ?? 0;
      return { runs: q.list.all(limit, offset).map(toRunRecord), total };
    },
    getRun(runId) {
      const row = q.get.get(runId);
      return row ? toRunRecord(row) : null;
    },
    listItems(runId, limit, offset) {
      const items: Item[] = [];
      for (const b of q.blocksFrom.all(runId, runId, offset, offset + limit)) {
        items.push(...decodeBlock(b.data, offset + items.length - b.first_index, offset + limit - b.first_index));
      }
      return { items, total: q.nextIndex.get(runId) ?? 0 };
    },
    lastRealRun: view.lastRealRun,
    lastSuccessAt: () => q.lastSuccess.get() ?? null,
    outbox,
    runningRun: view.runningRun,
    runState: view.runState,
    ...plans.api,
    database: () => db,
    close() {
      view.close();
      if (db.open) db.close();
    },
  };
}
