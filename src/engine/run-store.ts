/**
 * The port the engine needs from a run history: take the lock and record a run, append its
 * items, show progress, record the result. Declared here, on the engine's side, so the engine
 * never imports the store; store/state-store.ts implements it (structurally).
 */
import type { FinishRun, RunProgress, RunRecord, StartRun } from '../domain/runs.js';
import type { Item } from '../domain/types.js';

export interface RunStore {
  /** Takes the one-run-at-a-time lock and records a `running` run; throws BusyError when another run holds it. */
  startRun(run: StartRun): string;
  /** Appends items (batched by the caller) to a run's history. */
  appendItems(runId: string, items: readonly Item[]): void;
  updateProgress(runId: string, progress: RunProgress): void;
  /** Records the result and releases the lock. */
  finishRun(runId: string, result: FinishRun): void;
  /** The recorded run (the engine reads its `started_at`, stamped inside the lock). */
  getRun(runId: string): Pick<RunRecord, 'started_at'> | null;
}
