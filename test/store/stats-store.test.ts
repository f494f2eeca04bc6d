/** Space freed over time (issue 14): per-category totals kept with each run, summed per bucket in SQL. */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Item, Trigger } from '../../src/domain/types.js';
import { createStatsStore } from '../../src/store/stats-store.js';
import { PANEL_MIGRATIONS } from '../../src/store/panel-migrations.js';
import { PLAN_MIGRATIONS } from '../../src/store/plan-store.js';
import { openStateStoreAt, STATE_SCHEMA_VERSION } from '../../src/store/state-store.js';
import { TRASH_MIGRATIONS } from '../../src/store/trash-migrations.js';
import type { StateStore } from '../../src/store/types.js';
import { makeTempDir } from '../helpers/temp-root.js';

const zero = { backups_deleted: 0, logs_deleted: 0, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 0 };
const item = (category: Item['category'], bytes: number, action: Item['action'] = 'delete'): Item => ({ category, target: `${category}/x`, bytes, action, reason: 'r' });

afterEach(() => {
  vi.useRealTimers();
});

/** Records one finished run that started at `at` (the store stamps the clock, so the clock is set). */
function recordRun(store: StateStore, at: string, items: Item[], opts: { dryRun?: boolean; trigger?: Trigger } = {}): string {
  vi.setSystemTime(new Date(at));
  const id = store.startRun({ trigger: opts.trigger ?? 'schedule', dryRun: opts.dryRun ?? false, settings: {} });
  store.appendItems(id, items);
  store.finishRun(id, {
    status: 'succeeded', finishedAt: at, stats: zero, itemsTotal: items.length, skippedTotal: 0, errorsTotal: 0, warnings: [], skipped: [], errors: [],
  });
  return id;
}

function openStore(): StateStore {
  vi.useFakeTimers({ toFake: ['Date'] });
  return openStateStoreAt(path.join(makeTempDir('cw-stats-'), 'state.db'));
}

describe('space freed over time', () => {
  it('sums bytes and items per category per day over real runs only, with empty days as zero', () => {
    const store = openStore();
    recordRun(store, '2026-02-01T01:00:00.000Z', [item('backups', 100), item('logs', 10), item('temp', 0, 'rmdir')]);
    recordRun(store, '2026-02-01T02:00:00.000Z', [item('backups', 50)]);
    recordRun(store, '2026-02-01T03:00:00.000Z', [item('backups', 9999)], { dryRun: true });
    recordRun(store, '2026-02-03T05:00:00.000Z', [item('logs', 7), item('logs', 3)]);
    const stats = createStatsStore(store.database()).spaceFreed({ bucket: 'day', from: '2026-02-01T00:00:00.000Z', to: '2026-02-04T00:00:00.000Z' });
    expect(stats.buckets).toEqual([
      { start: '2026-02-01T00:00:00.000Z', runs: 2, items: 3, bytes: 160, by_category: { backups: { items: 2, bytes: 150 }, logs: { items: 1, bytes: 10 } } },
      { start: '2026-02-02T00:00:00.000Z', runs: 0, items: 0, bytes: 0, by_category: {} },
      { start: '2026-02-03T00:00:00.000Z', runs: 1, items: 2, bytes: 10, by_category: { logs: { items: 2, bytes: 10 } } },
    ]);
    expect(stats.totals).toEqual({ runs: 3, items: 5, bytes: 170, by_category: { backups: { items: 2, bytes: 150 }, logs: { items: 3, bytes: 20 } } });
    const dry = createStatsStore(store.database()).spaceFreed({ bucket: 'day', from: '2026-02-01T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z', dryRun: true });
    expect(dry.totals).toMatchObject({ runs: 1, bytes: 9999 });
    store.close();
  });

  it('filters by trigger and starts weeks on Monday', () => {
    const store = openStore();
    recordRun(store, '2026-02-04T10:00:00.000Z', [item('logs', 1)], { trigger: 'schedule' }); // a Wednesday
    recordRun(store, '2026-02-08T10:00:00.000Z', [item('logs', 2)], { trigger: 'api' }); // the Sunday after
    recordRun(store, '2026-02-09T10:00:00.000Z', [item('logs', 4)], { trigger: 'schedule' }); // the next Monday
    const stats = createStatsStore(store.database());
    const weeks = stats.spaceFreed({ bucket: 'week', from: '2026-02-02T00:00:00.000Z', to: '2026-02-16T00:00:00.000Z' });
    expect(weeks.buckets.map((b) => [b.start, b.bytes])).toEqual([
      ['2026-02-02T00:00:00.000Z', 3],
      ['2026-02-09T00:00:00.000Z', 4],
    ]);
    const scheduled = stats.spaceFreed({ bucket: 'week', from: '2026-02-02T00:00:00.000Z', to: '2026-02-16T00:00:00.000Z', trigger: 'schedule' });
    expect(scheduled.buckets.map((b) => b.bytes)).toEqual([1, 4]);
    store.close();
  });

  it('backfills the totals of runs recorded before the migration', () => {
    const file = path.join(makeTempDir('cw-stats-'), 'state.db');
    vi.useFakeTimers({ toFake: ['Date'] });
    let store = openStateStoreAt(file);
    recordRun(store, '2026-02-01T01:00:00.000Z', [item('backups', 100), item('backups', 20), item('temp', 5), item('temp', 0, 'rmdir')]);
    // Back to the schema before issue 14: the totals table did not exist.
    // (and before the trash's column and the plans' tables, issue 15, whose migrations come after the panel's)
    store.database().exec(`DROP TABLE run_category_totals; DROP INDEX runs_started; DROP TABLE config_overlay; DROP TABLE config_changes;
      ALTER TABLE runs DROP COLUMN space_trashed_mb;`);
    // The schema version just before the panel's migrations (only the trash's and the plans' come after them).
    store.database().pragma(`user_version = ${STATE_SCHEMA_VERSION - PANEL_MIGRATIONS.length - TRASH_MIGRATIONS.length - PLAN_MIGRATIONS.length}`);
    store.close();
    store = openStateStoreAt(file);
    const stats = createStatsStore(store.database()).spaceFreed({ bucket: 'day', from: '2026-02-01T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' });
    expect(stats.totals.by_category).toEqual({ backups: { items: 2, bytes: 120 }, temp: { items: 1, bytes: 5 } });
    store.close();
  });

  // Speed is the bench's to measure (npm run bench); here, that six months of hourly runs add up right.
  it('adds up six months of hourly runs per day', () => {
    const store = openStore();
    const start = Date.parse('2025-08-01T00:00:00.000Z');
    const hours = 24 * 183;
    const insert = store.database().transaction(() => {
      for (let h = 0; h < hours; h++) recordRun(store, new Date(start + h * 3_600_000).toISOString(), [item('logs', 10), item('backups', 1000), item('temp', 1)]);
    });
    insert();
    const stats = createStatsStore(store.database());
    const days = stats.spaceFreed({ bucket: 'day', from: new Date(start).toISOString(), to: new Date(start + hours * 3_600_000).toISOString() });
    expect(days.buckets).toHaveLength(183);
    expect(days.totals).toMatchObject({ runs: hours, items: hours * 3, bytes: hours * 1011 });
    store.close();
  });
});
