/**
 * Where a category's planned removals go: the one choice between a dry run and a real run.
 * A dry run is "plan, then list": the `list` sink reports every planned item and touches
 * nothing; a real run hands the same items to the sink of the category rule's action. Executors
 * (fs/file-executor.ts, fs/prune-folders.ts, db/row-cleanup.ts) keep one table of sinks keyed by
 * this kind and never ask whether the run is a dry run.
 *
 * Room left: `trash` (issue 15: a real run's deletions moved aside for a while) is chosen here,
 * from the settings, in place of `delete`; backups' `archive` (issue 12) is a row of the files'
 * table fed by a descriptor or setting whose action is `archive`.
 */
import type { RunPhase } from '../domain/events.js';

export type SinkKind = 'list' | 'delete' | 'archive';

/** What a sink's work is called in progress reports: listing is still planning. */
export const SINK_PHASE: Readonly<Record<SinkKind, RunPhase>> = { list: 'planning', delete: 'executing', archive: 'executing' };

/** True for the sinks that change the world: a test's ctx.beforeExecute is awaited before their first item. */
export function removes(kind: SinkKind): boolean {
  return kind !== 'list';
}

/** The sink for planned removals whose rule says `action`, in a run that is (or is not) a dry run. */
export function sinkFor(run: { readonly dryRun: boolean }, action: 'delete' | 'archive'): SinkKind {
  return run.dryRun ? 'list' : action;
}
