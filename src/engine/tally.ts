/**
 * One run's count as it goes: the Reporter the handlers report into. It counts stats and bytes,
 * keeps the first RESPONSE_CAP items/skips/errors for the response, logs skips, errors and
 * warnings, and turns items and (throttled) progress into run events for the listeners.
 */
import type { CategoryDescriptor } from '../domain/categories/index.js';
import type { RunPhase } from '../domain/events.js';
import type { NotificationEvent } from '../domain/notifications.js';
import { emptyStats } from '../domain/stats.js';
import type { Category, Item, ItemError, Kept, Skipped, Stats } from '../domain/types.js';
import type { EngineLogger, Reporter } from './context.js';
import type { Emit } from './run-events.js';

/** How many items/skips/errors a response carries; the run history has all items. */
export const RESPONSE_CAP = 1000;
/** Progress reaches the listeners (the history, hence `/status`) at most this often. */
const PROGRESS_EVERY_MS = 500;

export interface Tally {
  reporter: Reporter;
  stats: Stats;
  /** Bytes freed: deleted, archived, or purged from the trash (space_freed_mb). */
  bytes: number;
  /** Bytes moved into the trash (space_trashed_mb): not freed until a later run purges them. */
  trashedBytes: number;
  /** Bytes removed (or archived) per category, for the notifications' "top categories". */
  bytesByCategory: Record<string, number>;
  items: Item[];
  itemsTotal: number;
  skipped: Skipped[];
  skippedTotal: number;
  /** What the retention policy kept, with its reasons (capped like skipped). */
  kept: Kept[];
  keptTotal: number;
  errors: ItemError[];
  /** Every error of the run; `errors` keeps only the first RESPONSE_CAP. */
  errorsTotal: number;
  warnings: string[];
  /** Notification events raised during the run (beyond its end event), in the order first raised. */
  events: Set<NotificationEvent>;
  progress: { category: Category | null; phase: RunPhase | null; items_so_far: number };
}

/** A fresh tally for run `runId`, emitting `item` and `run.progress` events through `emit`. */
export function createTally(runId: string, list: readonly CategoryDescriptor[], logger: EngineLogger, emit: Emit): Tally {
  const t: Omit<Tally, 'reporter'> = {
    stats: emptyStats(list),
    bytes: 0,
    trashedBytes: 0,
    bytesByCategory: {},
    items: [],
    itemsTotal: 0,
    skipped: [],
    skippedTotal: 0,
    kept: [],
    keptTotal: 0,
    errors: [],
    errorsTotal: 0,
    warnings: [],
    events: new Set(),
    progress: { category: null, phase: null, items_so_far: 0 },
  };
  return Object.assign(t, { reporter: createReporter(t, runId, list, logger, emit) });
}

/**
 * Counts an item into the stats (README, Trash and restore): what leaves its place (delete, archive, trash)
 * counts in its category's counter; delete and archive free their bytes, trash moves them aside
 * (`trashedBytes`), purge frees the bytes of an item counted when it was trashed; rmdir and
 * restore count nothing.
 */
function countItem(t: Omit<Tally, 'reporter'>, statKey: ReadonlyMap<string, string>, item: Item): void {
  const { action, category, bytes } = item;
  if (action === 'rmdir' || action === 'restore') return;
  if (action === 'purge') {
    t.bytes += bytes;
    return;
  }
  const key = statKey.get(category);
  const counters = t.stats as Record<string, number>;
  if (key !== undefined) counters[key] = (counters[key] ?? 0) + 1;
  if (action === 'trash') t.trashedBytes += bytes;
  else t.bytes += bytes;
  t.bytesByCategory[category] = (t.bytesByCategory[category] ?? 0) + bytes;
}

/** The Reporter over tally `t`: counts and caps, logs skips, errors and warnings, emits items and progress. */
function createReporter(t: Omit<Tally, 'reporter'>, runId: string, list: readonly CategoryDescriptor[], logger: EngineLogger, emit: Emit): Reporter {
  const statKey = new Map<string, string>(list.map((d) => [d.name, d.statKey]));
  let lastProgress = 0;
  return {
    item(item) {
      t.itemsTotal++;
      countItem(t, statKey, item);
      if (t.items.length < RESPONSE_CAP) t.items.push(item);
      t.progress.items_so_far = t.itemsTotal;
      emit({ type: 'item', run_id: runId, item });
    },
    rowBatch(batch) {
      emit({ type: 'item.batch', run_id: runId, ...batch });
    },
    skipped(s) {
      t.skippedTotal++;
      if (t.skipped.length < RESPONSE_CAP) t.skipped.push(s);
      logger.info({ run_id: runId, category: s.category, target: s.target, reason: s.reason }, 'skipped');
    },
    kept(k) {
      t.keptTotal++;
      if (t.kept.length < RESPONSE_CAP) t.kept.push(k);
      logger.debug({ run_id: runId, category: k.category, target: k.target, reason: k.reason }, 'kept');
    },
    error(e) {
      t.errorsTotal++;
      if (t.errors.length < RESPONSE_CAP) t.errors.push(e);
      logger.warn({ run_id: runId, category: e.category, target: e.target, error: e.message }, 'item failed');
    },
    warning(message) {
      t.warnings.push(message);
      logger.warn({ run_id: runId, warning: message }, 'cleanup warning');
    },
    raise(event) {
      t.events.add(event);
    },
    progress(category, phase, done) {
      t.progress.category = category;
      t.progress.phase = phase;
      const nowMs = Date.now();
      if (nowMs - lastProgress < PROGRESS_EVERY_MS) return;
      lastProgress = nowMs;
      emit({ type: 'run.progress', run_id: runId, category, phase, items_so_far: Math.max(done, t.itemsTotal) });
    },
  };
}
