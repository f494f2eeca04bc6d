/**
 * A run's lifecycle as events, for whatever wants to follow runs without being part of one: the
 * history and the activity-log row (built in), and later metrics, webhooks, email, the panel.
 *
 * Every run that took the lock emits, in this order:
 *   `run.started` once; then `item` for each removed (dry run: to-be-removed) item,
 *   `item.batch` after the items of each database batch (the same rows, named together), and
 *   `run.progress` at most every 500 ms, interleaved; then exactly one end event carrying the
 *   whole RunResult: `run.failed` when the run crashed (status `failed`), `run.refused` when a
 *   brake stopped it before any deletion (status `refused`, issue 15: no `item` event then; its
 *   plan is in the history and the result), else
 *   `run.finished` (`succeeded`, `partial`, `interrupted`).
 * A run refused before it starts (another run holds the lock, invalid overrides) is not a run
 * and emits nothing.
 *
 * Payload keys are snake_case like the API's, so a listener can forward them as they are.
 */
import type { Category, Item, RowBatch, RunResult, RunStatus, Trigger } from './types.js';

/** What a run is doing while it is in progress (`/status` shows it). */
export type RunPhase = 'planning' | 'executing';

export interface RunStartedEvent {
  readonly type: 'run.started';
  readonly run_id: string;
  readonly trigger: Trigger;
  readonly dry_run: boolean;
  /** ISO-8601, as stamped by the history inside the lock. */
  readonly started_at: string;
}

export interface RunProgressEvent {
  readonly type: 'run.progress';
  readonly run_id: string;
  readonly category: Category | null;
  readonly phase: RunPhase | null;
  readonly items_so_far: number;
}

export interface ItemEvent {
  readonly type: 'item';
  readonly run_id: string;
  readonly item: Item;
}

/** The rows of one database batch, after their `item` events (SPEC 3.8's one log line per batch). */
export interface ItemBatchEvent extends Readonly<RowBatch> {
  readonly type: 'item.batch';
  readonly run_id: string;
}

/** The end of a run: one of the three, always with the result the caller gets. */
export interface RunEndEvent {
  readonly type: RunEndType;
  readonly run_id: string;
  readonly result: RunResult;
}

export type RunEndType = 'run.finished' | 'run.failed' | 'run.refused';

export type RunEvent = RunStartedEvent | RunProgressEvent | ItemEvent | ItemBatchEvent | RunEndEvent;
export type RunEventType = RunEvent['type'];

/** Every event name, in lifecycle order (config validation of subscriptions reads this). */
export const RUN_EVENT_TYPES: readonly RunEventType[] = ['run.started', 'run.progress', 'item', 'item.batch', 'run.finished', 'run.failed', 'run.refused'];

/**
 * Something that follows runs. `onEvent` must treat the event as read-only. A listener given to
 * `createEngine({ listeners })` is called after the fact (queued, on a later tick of the event
 * loop, never inside the run's own calls); if it throws or returns a promise that rejects, the
 * failure is logged and the run is unaffected.
 */
export interface RunListener {
  onEvent(event: RunEvent): void | Promise<void>;
}

/** The end event a run with this status emits. */
export function endEventType(status: RunStatus | 'refused'): RunEndType {
  if (status === 'failed') return 'run.failed';
  if (status === 'refused') return 'run.refused';
  return 'run.finished';
}

/** True for the three end events (a listener that wants "after every run" tests this). */
export function isRunEnd(event: RunEvent): event is RunEndEvent {
  return event.type === 'run.finished' || event.type === 'run.failed' || event.type === 'run.refused';
}
