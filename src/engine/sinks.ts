/**
 * Where a category's planned removals go: the one choice between a dry run and a real run.
 * A dry run is "plan, then list": the `list` sink reports every planned item and touches
 * nothing; a real run hands the same items to the sink of the category rule's action. Executors
 * (fs/file-executor.ts, fs/prune-folders.ts, db/row-cleanup.ts) keep one table of sinks keyed by
 * this kind and never ask whether the run is a dry run.
 *
 * `trash` (issue 15, README, Trash and restore) takes the place of `delete` when the run's trash is active
 * (RunContext.trash, decided once per run before any category runs); `archive` (prompts, and
 * backups with backup_archive) is never replaced by it.
 */
import type { RunPhase } from '../domain/events.js';

export type SinkKind = 'list' | 'delete' | 'archive' | 'trash';

/** What a real run does with an item its rule removes: the item's action. */
export type RemovalAction = 'delete' | 'archive' | 'trash';

/** What a sink's work is called in progress reports: listing is still planning. */
export const SINK_PHASE: Readonly<Record<SinkKind, RunPhase>> = { list: 'planning', delete: 'executing', archive: 'executing', trash: 'executing' };

/** The parts of a run the choice depends on (RunContext has them). */
export interface SinkRun {
  readonly dryRun: boolean;
  readonly trash?: { readonly active: boolean } | undefined;
}

/** True for the sinks that change the world: a test's ctx.beforeExecute is awaited before their first item. */
export function removes(kind: SinkKind): boolean {
  return kind !== 'list';
}

/** What a real run does with what a rule of `action` removes: `trash` in place of `delete` while the trash is active. */
export function removalFor(run: SinkRun, action: 'delete' | 'archive'): RemovalAction {
  return action === 'delete' && run.trash?.active ? 'trash' : action;
}

/** The sink for planned removals whose rule says `action`, in a run that is (or is not) a dry run. */
export function sinkFor(run: SinkRun, action: 'delete' | 'archive'): SinkKind {
  return run.dryRun ? 'list' : removalFor(run, action);
}
