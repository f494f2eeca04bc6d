/**
 * The engine's own run listeners, created for each run by createEngine: the run's history (items
 * appended in blocks, progress), the per-item log line, and the row a real run leaves in the
 * dashboard's activity log. They are the run's bookkeeping, so they are called synchronously, in
 * order, inside the run (run-events.ts): a history that cannot be written fails like before.
 */
import type { EngineSettings } from '../config/engine-settings.js';
import { isRunEnd, type RunListener } from '../domain/events.js';
import type { Item, RowBatch } from '../domain/types.js';
import type { EngineLogger } from './context.js';
import { appendActivityLog } from './db/activity-log.js';
import type { RunStore } from './run-store.js';

/** Items are appended to the history in blocks of this many (one store call per block). */
export const HISTORY_BATCH = 1000;

/**
 * The run's history: appends items in blocks of HISTORY_BATCH, records each progress event
 * (after appending what is pending, so `/status`'s count is in the history), and appends the
 * rest at the end event, before the engine records the result.
 */
export function historyListener(store: RunStore, runId: string): RunListener {
  const pending: Item[] = [];
  const flush = () => {
    if (pending.length) store.appendItems(runId, pending.splice(0));
  };
  return {
    onEvent(e) {
      if (e.type === 'item') {
        pending.push(e.item);
        if (pending.length >= HISTORY_BATCH) flush();
      } else if (e.type === 'run.progress') {
        flush();
        store.updateProgress(runId, { category: e.category, phase: e.phase, items_so_far: e.items_so_far });
      } else if (isRunEnd(e)) {
        flush();
      }
    },
  };
}

/**
 * The per-item log line of a run (SPEC 3.8): every removed file gets its own `info` line naming
 * it; database rows get one line per batch naming the table and every rowid (a line per row cost
 * more than deleting the row). A dry run removes nothing: its items are in the response and the
 * run's history, and at `debug` level in the log, so a dry run over a million files does not add
 * a million lines.
 */
export function createItemLog(logger: EngineLogger, runId: string, dryRun: boolean): (item: Item) => void {
  const log = levelOf(logger, runId, dryRun);
  const msg = dryRun ? 'would remove' : 'removed';
  return (item) => log({ category: item.category, target: item.target, bytes: item.bytes, action: item.action, reason: item.reason }, msg);
}

/** The one line for a batch of removed rows: table, action, count and every rowid. */
export function createRowBatchLog(logger: EngineLogger, runId: string, dryRun: boolean): (batch: RowBatch) => void {
  const log = levelOf(logger, runId, dryRun);
  const msg = dryRun ? 'would remove rows' : 'removed rows';
  return (b) => log({ category: b.category, table: b.table, action: b.action, count: b.rowids.length, rowids: b.rowids }, msg);
}

/** The run's child logger at `info` for a real run, `debug` for a dry run. */
function levelOf(logger: EngineLogger, runId: string, dryRun: boolean): (obj: object, msg: string) => void {
  const itemLog = logger.child?.({ run_id: runId, dry_run: dryRun }) ?? logger;
  return dryRun ? itemLog.debug.bind(itemLog) : itemLog.info.bind(itemLog);
}

/**
 * createItemLog and createRowBatchLog as a listener: a line per `item` event of a file category,
 * a line per `item.batch` event; items of the database categories (`rowCategories`) are named
 * by their batch's line.
 */
export function itemLogListener(logger: EngineLogger, runId: string, dryRun: boolean, rowCategories: ReadonlySet<string>): RunListener {
  const logItem = createItemLog(logger, runId, dryRun);
  const logBatch = createRowBatchLog(logger, runId, dryRun);
  return {
    onEvent(e) {
      if (e.type === 'item') {
        if (!rowCategories.has(e.item.category)) logItem(e.item);
      } else if (e.type === 'item.batch') logBatch(e);
    },
  };
}

/**
 * The dashboard's activity-log row (SPEC section 1), written at the end of a real run that did
 * not crash. A row that cannot be written becomes a warning of the run (`addWarning`), which is
 * in the result and the history because this listener runs before the engine records them.
 */
export function activityLogListener(settings: EngineSettings, addWarning: (message: string) => void): RunListener {
  return {
    onEvent(e) {
      if (e.type !== 'run.finished' || e.result.dry_run) return;
      const finishedAt = e.result.finished_at;
      const warning = appendActivityLog(
        settings,
        { runId: e.run_id, stats: e.result.stats, finishedAt, trigger: e.result.trigger },
        Date.parse(finishedAt),
      );
      if (warning) addWarning(warning);
    },
  };
}
