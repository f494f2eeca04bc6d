/**
 * The state store's contract: run history and the one-run-at-a-time lock, shared by the
 * server, its schedule and the CLI through `.cleanup/state.db` (SQLite, WAL).
 */
import type { Item, ItemError, RunStatus, Skipped, Stats, Trigger } from '../engine/types.js';

/** Another run holds the lock for this root. */
export class BusyError extends Error {
  readonly code = 'ERR_CLEANUP_BUSY';
  constructor(readonly runId: string, readonly trigger: string | null, readonly pid: number | null) {
    super(`another cleanup is running (run ${runId}${pid ? `, pid ${pid}` : ''})`);
  }
}

export interface RunProgress {
  category: string | null;
  phase: string | null;
  items_so_far: number;
}

/** A run as stored and listed (GET /runs). */
export interface RunRecord {
  run_id: string;
  trigger: Trigger;
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  stats: Stats;
  items_total: number;
  skipped_total: number;
  errors_total: number;
  pid: number;
  settings: unknown;
  warnings: string[];
  skipped: Skipped[];
  errors: ItemError[];
  progress: RunProgress | null;
}

/** A run about to start. Its `started_at` is stamped by the store inside the lock transaction, so recorded runs never overlap. */
/** A run without its stored settings and capped lists. */
export type RunSummary = Omit<RunRecord, 'settings' | 'warnings' | 'skipped' | 'errors'>;

export interface StartRun {
  trigger: Trigger;
  dryRun: boolean;
  settings: unknown;
}

export interface FinishRun {
  status: RunStatus;
  finishedAt: string;
  stats: Stats;
  itemsTotal: number;
  skippedTotal: number;
  errorsTotal: number;
  warnings: string[];
  /** Capped lists kept with the run. */
  skipped: Skipped[];
  errors: ItemError[];
}

export interface StateStore {
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
  /** The run holding the lock, if its owner is alive. */
  runningRun(): RunRecord | null;
  close(): void;
}
