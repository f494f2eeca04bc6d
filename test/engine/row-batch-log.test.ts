/**
 * SPEC 3.8 as changed in issue 16: a removed file gets its own log line; removed database rows
 * get one line per batch naming the table and every rowid; the history keeps one entry per row.
 * The lines come from a real pino logger writing to a stream, through the real engine.
 */
import { describe, expect, it } from 'vitest';
import { BATCH_SIZE } from '../../src/engine/db/row-cleanup.js';
import { openStateStore } from '../../src/store/state-store.js';
import { createDashboardDb, daysAgo, fmt, insertRows, type Row, rowidsOf, SCHEMAS } from '../helpers/db-fixtures.js';
import { runEngine } from '../helpers/engine-run.js';
import { makeTempDir, settingsFor, writeFileAt } from '../helpers/temp-root.js';

interface Line {
  level: number;
  msg: string;
  category?: string;
  table?: string;
  target?: string;
  action?: string;
  count?: number;
  rowids?: number[];
  dry_run?: boolean;
}

/** A root with three old log files, one new one, and a task_queue of `old` removable rows among new and pending ones. */
function fixture(old: number) {
  const root = makeTempDir();
  for (const name of ['a.log', 'b.log.1', 'c.log.gz']) writeFileAt(root, `logs/${name}`, daysAgo(40));
  writeFileAt(root, 'logs/new.log', daysAgo(1));
  const file = createDashboardDb(root, SCHEMAS.taskQueue);
  const rows: Row[] = [];
  for (let i = 1; i <= old + 300; i++) {
    const isOld = i <= old;
    rows.push({ id: i * 3, title: `t${i}`, status: i % 7 === 0 && !isOld ? 'pending' : 'completed', completed_at: fmt.sqlite(isOld ? daysAgo(8 + (i % 20)) : daysAgo(2)) });
  }
  insertRows(file, 'task_queue', rows);
  const oldIds = rows.slice(0, old).map((r) => r.id as number);
  return { root, file, settings: settingsFor(root), oldIds };
}

const parse = (log: string[]): Line[] => log.flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((l) => JSON.parse(l) as Line);

describe('the run log (SPEC 3.8)', () => {
  it('names removed rows in one line per batch with the table and every rowid, files one line each, history one entry per row', async () => {
    const old = 2 * BATCH_SIZE + 7;
    const { file, settings, oldIds } = fixture(old);
    const log: string[] = [];
    const result = await runEngine(settings, { overrides: { categories: ['logs', 'tasks'] }, log });
    expect(result.stats.tasks_deleted).toBe(old);
    expect(rowidsOf(file, 'task_queue')).not.toContain(oldIds[0]);

    const lines = parse(log);
    const batches = lines.filter((l) => l.msg === 'removed rows');
    expect(batches).toHaveLength(3);
    for (const b of batches) {
      expect(b).toMatchObject({ category: 'tasks', table: 'task_queue', action: 'delete', dry_run: false, level: 30 });
      expect(b.count).toBe(b.rowids?.length);
      expect(b.rowids?.length).toBeLessThanOrEqual(BATCH_SIZE);
    }
    expect(batches.flatMap((b) => b.rowids ?? [])).toEqual(oldIds);
    // No row has a line of its own; every removed file does.
    expect(lines.filter((l) => l.msg === 'removed' && l.category === 'tasks')).toEqual([]);
    const files = lines.filter((l) => l.msg === 'removed' && l.category === 'logs').map((l) => l.target);
    expect(files.sort()).toEqual(['logs/a.log', 'logs/b.log.1', 'logs/c.log.gz']);

    const store = openStateStore(settings);
    try {
      const history = store.listItems(result.run_id, 1_000_000, 0).items.filter((i) => i.category === 'tasks');
      expect(history.map((i) => i.target)).toEqual(oldIds.map((id) => `architect.db:task_queue#${id}`));
      expect(new Set(history.map((i) => i.reason)).size).toBeGreaterThan(1);
    } finally {
      store.close();
    }
  });

  it('a dry run names the rows it would remove per batch at debug, and removes nothing', async () => {
    const { file, settings, oldIds } = fixture(BATCH_SIZE + 1);
    const before = rowidsOf(file, 'task_queue');
    const log: string[] = [];
    await runEngine(settings, { dryRun: true, overrides: { categories: ['tasks'] }, log });
    expect(rowidsOf(file, 'task_queue')).toEqual(before);
    const batches = parse(log).filter((l) => l.msg === 'would remove rows');
    expect(batches.map((b) => b.level)).toEqual([20, 20]);
    expect(batches.flatMap((b) => b.rowids ?? [])).toEqual(oldIds);
    expect(parse(log).filter((l) => l.msg === 'would remove')).toEqual([]);
  });
});
