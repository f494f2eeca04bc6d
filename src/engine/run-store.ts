/**
 * The port the engine needs from a run history: take the lock and record a run, append its
 * items, show progress, record the result; read a plan back (issue 14) and the history the
 * brakes compare a run with (issue 15). Declared here, on the engine's side, so the engine
 * never imports the store; store/state-store.ts implements it (structurally).
 */
import type { BrakeHistory, LastClock } from '../domain/limits.js';
import type { FinishRun, RunProgress, RunRecord, StartRun } from '../domain/runs.js';
import type { Item, Trigger } from '../domain/types.js';

export interface RunStore {
  /** Takes the one-run-at-a-time lock and records a `running` run; throws BusyError when another run holds it, PlanAppliedError when `applyPlanId` is taken. */
  startRun(run: StartRun): string;
  /** Appends items (batched by the caller) to a run's history. */
  appendItems(runId: string, items: readonly Item[]): void;
  updateProgress(runId: string, progress: RunProgress): void;
  /** Records the result and releases the lock. */
  finishRun(runId: string, result: FinishRun): void;
  /** The recorded run (the engine reads its `started_at`, stamped inside the lock, and a plan's settings). */
  getRun(runId: string): Pick<RunRecord, 'run_id' | 'started_at' | 'dry_run' | 'status' | 'settings' | 'items_total' | 'plan_id'> | null;
  /** A page of a run's items, in order (a plan's items are read whole). */
  listItems(runId: string, limit: number, offset: number): { items: Item[]; total: number };
  /** The run that applied this plan, or null. */
  planAppliedBy(planId: string): string | null;
  /** The largest items and bytes per category over the last `n` finished real runs of `trigger` (else of any trigger). */
  brakeHistory(trigger: Trigger, n: number): BrakeHistory;
  /** The most recent real run that was not refused, by its recorded clock, or null. */
  lastRealClock(): LastClock | null;
}
