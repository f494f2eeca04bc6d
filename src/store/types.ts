/**
 * The state store's contract: run history and the one-run-at-a-time lock, shared by the
 * server, its schedule and the CLI through `.cleanup/state.db` (SQLite, WAL). It implements
 * the engine's port (engine/run-store.ts) structurally; the run vocabulary is in domain/runs.ts.
 */
import type Database from 'better-sqlite3';
import type { FinishRun, RunProgress, RunRecord, RunSummary, StartRun } from '../domain/runs.js';
import type { Item } from '../domain/types.js';
import type { Outbox } from './outbox.js';
import type { PlanStoreApi } from './plan-store.js';

export { BusyError } from '../domain/errors.js';
export type { FinishRun, RunProgress, RunRecord, RunSummary, StartRun } from '../domain/runs.js';

/**
 * The last real run and the run in progress, as /status shows them. Both are served from a cache
 * that any commit to the state DB invalidates (store/run-view.ts): shared objects, not to be changed.
 */
export interface RunState {
  lastReal: RunSummary | null;
  running: RunRecord | null;
}

export interface StateStore extends PlanStoreApi {
  /** Takes the lock and records a new `running` run; throws BusyError when a live owner holds it. A dead owner's lock is taken over and its run marked `interrupted`. */
  startRun(run: StartRun): string;
  /** Appends items (batched by the caller) to a run's history. */
  appendItems(runId: string, items: readonly Item[]): void;
  updateProgress(runId: string, progress: RunProgress): void;
  /** Records the result and releases the lock. */
  finishRun(runId: string, result: FinishRun): void;
  /** Marks `running` runs whose process is gone as `interrupted`, and frees their lock. Returns how many. */
  markInterrupted(): number;
  listRuns(limit: number, offset: number): { runs: RunRecord[]; total: number };
  getRun(runId: string): RunRecord | null;
  listItems(runId: string, limit: number, offset: number): { items: Item[]; total: number };
  /** The most recent finished real (not dry) run, without its lists (cheap: `/status` calls it on every request). */
  lastRealRun(): RunSummary | null;
  /** When the most recent real run that succeeded finished (ISO), or null: the metrics' last-success gauge. */
  lastSuccessAt(): string | null;
  /** The notification outbox (events written by finishRun, deliveries, attempts). */
  readonly outbox: Outbox;
  /** The run holding the lock, if its owner is alive. */
  runningRun(): RunRecord | null;
  /** lastRealRun and runningRun in one call, with one check for changes: what GET /status reads on every request. */
  runState(): RunState;
  /** The connection, for the store's sibling modules (stats-store.ts, config-store.ts) only; others use the methods above. */
  database(): Database.Database;
  close(): void;
}
