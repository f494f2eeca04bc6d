/**
 * A refused run keeps its plan (issue 15): a dry pass of the run's handlers whose items go into
 * the run's own history and counts, so a person can look at them and apply them. No `item` event
 * is emitted and no "removed" line logged: nothing was removed.
 */
import type { CategoryDescriptor } from '../../domain/categories/index.js';
import type { Item } from '../../domain/types.js';
import type { CategoryHandler, Reporter, RunContext } from '../context.js';
import { HISTORY_BATCH } from '../run-listeners.js';
import type { RunStore } from '../run-store.js';
import { RESPONSE_CAP, type Tally } from '../tally.js';

/** Runs the handlers dry into the tally `t` of run `ctx.runId` and appends every planned item to its history. */
export async function recordPlan(ctx: RunContext, handlers: readonly CategoryHandler[], t: Tally, store: RunStore, list: readonly CategoryDescriptor[]): Promise<void> {
  const statKey = new Map(list.map((d) => [d.name, d.statKey]));
  const counters = t.stats as Record<string, number>;
  const pending: Item[] = [];
  const flush = () => {
    if (pending.length) store.appendItems(ctx.runId, pending.splice(0));
  };
  const report: Reporter = {
    ...t.reporter,
    item(item) {
      t.itemsTotal++;
      if (item.action !== 'rmdir') {
        const key = statKey.get(item.category);
        if (key !== undefined) counters[key] = (counters[key] ?? 0) + 1;
        t.bytes += item.bytes;
        t.bytesByCategory[item.category] = (t.bytesByCategory[item.category] ?? 0) + item.bytes;
      }
      if (t.items.length < RESPONSE_CAP) t.items.push(item);
      pending.push(item);
      if (pending.length >= HISTORY_BATCH) flush();
    },
  };
  const dry: RunContext = { ...ctx, dryRun: true, report, beforeExecute: undefined, gate: undefined };
  try {
    for (const h of handlers) {
      if (ctx.signal.aborted) break;
      await h.run(dry);
    }
  } finally {
    flush();
  }
}
