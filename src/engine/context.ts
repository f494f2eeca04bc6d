/**
 * What a category handler gets for one run, and the handler contract itself.
 * A category is a descriptor (domain/categories); its strategy's handler (handlers.ts) runs it.
 */
import type { EngineSettings } from '../config/engine-settings.js';
import type { CategoryDescriptor } from '../domain/categories/index.js';
import type { RunPhase } from '../domain/events.js';
import type { NotificationEvent } from '../domain/notifications.js';
import type { Category, Item, ItemError, Kept, Policy, RowBatch, Skipped } from '../domain/types.js';
import type { TrashHooks } from './trash/hooks.js';
import type { TrashRun } from './trash/trash-run.js';
import type { RemovalGate } from './brakes/gate.js';

/** What a handler reports into; the orchestrator counts, logs and emits the run's events. */
export interface Reporter {
  /** An item removed (real run) or that would be removed (dry run). */
  item(item: Item): void;
  /** After a database batch's items: the same rows, named together (the run's log has one line per batch). */
  rowBatch?(batch: RowBatch): void;
  /** An item the policy would remove but a protection or re-check kept. */
  skipped(skipped: Skipped): void;
  /** An item the retention policy keeps, with its reasons (backups); optional for reporters that do not list them. */
  kept?(kept: Kept): void;
  /** An item whose removal failed; the run goes on. */
  error(error: ItemError): void;
  /** Something the operator should know that is not an item (missing table, unreadable ages…). */
  warning(message: string): void;
  /**
   * A notification event beyond the run's end event (e.g. `archive.failed`), written with the run
   * when it finishes; raised once per run however often it is called. Optional for reporters
   * that do not record runs.
   */
  raise?(event: NotificationEvent): void;
  /** Progress for `/status` and the `run.progress` event while a run is in progress. */
  progress(category: Category, phase: RunPhase, done: number): void;
}

/** Minimal logger shape (pino's) so the engine does not depend on a logger implementation. */
export interface EngineLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  /** pino's child: bindings serialised once instead of on every line (the per-item log is hot). */
  child?(bindings: Record<string, unknown>): EngineLogger;
}

export interface RunContext {
  readonly settings: EngineSettings;
  readonly policy: Policy;
  /** The categories this engine knows (the built-in list unless the engine was given another). */
  readonly categories?: readonly CategoryDescriptor[];
  /** The run's clock: every age is computed against this instant (ms since epoch). */
  readonly now: number;
  readonly dryRun: boolean;
  readonly runId: string;
  readonly report: Reporter;
  /** Aborted on shutdown: handlers stop between batches and return. */
  readonly signal: AbortSignal;
  readonly logger: EngineLogger;
  /** Test hook, real runs leave it undefined: called after planning, before executing. */
  readonly beforeExecute?: (category: Category) => Promise<void> | void;
  /** The run's trash (README, Trash and restore); absent or inactive: removals are deletions. */
  readonly trash?: TrashRun;
  /** Test hooks inside the trash's moves and restores (crash tests); real runs leave them undefined. */
  readonly trashHooks?: TrashHooks;
  /**
   * A real run carrying out a checked plan (an applied plan, the brake's budget): every executor
   * asks it right before each removal, and removes only what it admits (brakes/gate.ts).
   */
  readonly gate?: RemovalGate;
}

/** One category's collector + planner + executor. `run` plans, then hands the planned removals to the run's sink (sinks.ts). */
export interface CategoryHandler {
  readonly category: Category;
  run(ctx: RunContext): Promise<void>;
}
