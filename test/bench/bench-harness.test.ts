/**
 * Keeps `npm run bench` from rotting: its builders and one tiny pair of each kind, end to end,
 * through the same child processes the bench uses (from dist/, which `npm test` builds first).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runOnceChild } from '../../scripts/bench/child.js';
import type { EngineResult } from '../../scripts/bench/children/engine-child.js';
import type { SqlResult } from '../../scripts/bench/children/sql-child.js';
import { runFind } from '../../scripts/bench/commands.js';
import { buildTasksDb, tasksCutoffText } from '../../scripts/bench/dashboard-db.js';
import { buildTrees } from '../../scripts/bench/fixtures.js';
import { median, percentileSorted, summarizeLatencies } from '../../scripts/bench/stats.js';
import { makeTempDir } from '../helpers/temp-root.js';

function rowids(file: string): number[] {
  const db = new Database(file, { readonly: true });
  const ids = db.prepare('SELECT id FROM task_queue ORDER BY id').pluck().all() as number[];
  db.close();
  return ids;
}

describe('bench harness', () => {
  it('the engine dry run plans exactly the files GNU find -mtime selects on the bench tree', async () => {
    const root = makeTempDir('cw-bench-test-');
    const now = Date.now();
    const tree = await buildTrees([root], 400, now);
    expect(tree).toMatchObject({ files: 400, old: 200 });

    const found = await runFind(root, { collect: true });
    const fromFind = new Set((found.output ?? []).map((p) => path.relative(root, p)));
    const engine = await runOnceChild<EngineResult>('engine-child', { root, categories: ['logs', 'temp'], dryRun: true, now: Date.now(), collectTargets: true });

    expect(fromFind.size).toBe(200);
    expect(new Set(engine.targets)).toEqual(fromFind);
    expect(engine).toMatchObject({ status: 'succeeded', itemsTotal: 200, errors: 0 });
    expect(engine.maxRssMb).toBeGreaterThan(0);
  });

  it('the tasks category leaves exactly the rows one plain DELETE leaves', async () => {
    const dir = makeTempDir('cw-bench-test-');
    const [a, b] = [path.join(dir, 'engine'), path.join(dir, 'sql')];
    mkdirSync(a);
    mkdirSync(b);
    const now = Date.now();
    expect(buildTasksDb(path.join(a, 'architect.db'), 600, now)).toMatchObject({ rows: 600, old: 300 });
    copyFileSync(path.join(a, 'architect.db'), path.join(b, 'architect.db'));

    const engine = await runOnceChild<EngineResult>('engine-child', { root: a, categories: ['tasks'], dryRun: false, now });
    const sql = await runOnceChild<SqlResult>('sql-child', { kind: 'delete-tasks', dbFile: path.join(b, 'architect.db'), cutoff: tasksCutoffText(now) });

    expect(sql.changes).toBe(300);
    expect(engine.itemsTotal).toBe(300);
    const left = rowids(path.join(a, 'architect.db'));
    expect(left).toHaveLength(300);
    expect(left).toEqual(rowids(path.join(b, 'architect.db')));
  });

  it('summarizes latencies with nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatencies(values)).toEqual({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(percentileSorted([5], 99)).toBe(5);
    expect(median([3, 1, 2, 10])).toBe(2.5);
  });
});
