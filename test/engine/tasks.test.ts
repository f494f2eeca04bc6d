import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tasksHandler } from '../../src/engine/categories/tasks.js';
import { BATCH_SIZE } from '../../src/engine/db/row-cleanup.js';
import { createDashboardDb, daysAgo, execSql, fmt, insertRows, type Row, rowidsOf, SCHEMAS, selectRows } from '../helpers/db-fixtures.js';
import { makeContext } from '../helpers/run-context.js';
import { DAY, makeTempDir, NOW, settingsFor } from '../helpers/temp-root.js';

const SECOND = 1000;

/** A root whose dashboard has a task_queue with the given rows. */
function taskQueueRoot(rows: readonly Row[]) {
  const root = makeTempDir();
  const file = createDashboardDb(root, SCHEMAS.taskQueue);
  insertRows(file, 'task_queue', rows);
  return { root, file, settings: settingsFor(root) };
}

const task = (id: number, status: string | null, completedAt: unknown): Row => ({ id, title: `t${id}`, status, completed_at: completedAt });

describe('tasks', () => {
  it('deletes completed and cancelled tasks finished more than 7 days ago, keeps the rest', async () => {
    const { file, settings } = taskQueueRoot([
      task(1, 'completed', fmt.isoZ(daysAgo(8))),
      task(2, 'Cancelled', fmt.isoZ(daysAgo(10))),
      task(3, 'CANCELED', fmt.isoZ(daysAgo(30))),
      task(4, 'pending', fmt.isoZ(daysAgo(30))),
      task(5, 'running', fmt.isoZ(daysAgo(30))),
      task(6, 'completed', fmt.isoZ(daysAgo(6))),
      task(7, 'completed', fmt.isoZ(daysAgo(7))),
      task(8, 'completed', fmt.isoZ(daysAgo(7, SECOND))),
      task(9, 'failed', fmt.isoZ(daysAgo(30))),
      task(10, null, fmt.isoZ(daysAgo(30))),
    ]);
    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'task_queue')).toEqual([4, 5, 6, 7, 9, 10]);
    expect(out.items).toEqual([
      { category: 'tasks', target: 'architect.db:task_queue#1', bytes: 0, action: 'delete', reason: 'finished 8 days ago, limit 7 days' },
      { category: 'tasks', target: 'architect.db:task_queue#2', bytes: 0, action: 'delete', reason: 'finished 10 days ago, limit 7 days' },
      { category: 'tasks', target: 'architect.db:task_queue#3', bytes: 0, action: 'delete', reason: 'finished 30 days ago, limit 7 days' },
      { category: 'tasks', target: 'architect.db:task_queue#8', bytes: 0, action: 'delete', reason: 'finished just over 7 days ago, limit 7 days' },
    ]);
    expect(out.warnings).toEqual([]);
    expect(out.errors).toEqual([]);
    expect(out.skipped).toEqual([]);
  });

  it.each(Object.entries(fmt))('reads %s ages: exactly at the limit is kept, a second older is deleted', async (_name, format) => {
    const { file, settings } = taskQueueRoot([
      task(1, 'completed', format(daysAgo(7))),
      task(2, 'completed', format(daysAgo(7, SECOND))),
      task(3, 'completed', format(daysAgo(6))),
      task(4, 'completed', format(daysAgo(400))),
      task(5, 'pending', format(daysAgo(400))),
    ]);
    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'task_queue')).toEqual([1, 3, 5]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:task_queue#2', 'architect.db:task_queue#4']);
    expect(out.warnings).toEqual([]);
  });

  it('keeps tasks whose age cannot be read and says how many, once', async () => {
    const { file, settings } = taskQueueRoot([
      task(1, 'completed', null),
      task(2, 'completed', 'soon'),
      task(3, 'cancelled', ''),
      task(4, 'completed', fmt.isoZ(daysAgo(9))),
      task(5, 'pending', null),
    ]);
    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'task_queue')).toEqual([1, 2, 3, 5]);
    expect(out.warnings).toEqual(['tasks: 3 rows in task_queue kept because completed_at cannot be read']);
  });

  it('reads the older `tasks` table with a `state` column and unix-second finished_at', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, SCHEMAS.tasksState);
    insertRows(file, 'tasks', [
      { id: 1, state: 'completed', finished_at: fmt.unixS(daysAgo(8)), created_at: fmt.unixS(daysAgo(1)) },
      { id: 2, state: 'queued', finished_at: fmt.unixS(daysAgo(8)), created_at: fmt.unixS(daysAgo(9)) },
      { id: 3, state: 'canceled', finished_at: fmt.unixS(daysAgo(2)), created_at: fmt.unixS(daysAgo(9)) },
    ]);
    const { ctx, out } = makeContext(settingsFor(root));
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'tasks')).toEqual([2, 3]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:tasks#1']);
  });

  it('uses the table and columns named in the config file', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, SCHEMAS.taskQueue, 'CREATE TABLE jobs (phase TEXT, done_at TEXT, status TEXT)');
    insertRows(file, 'task_queue', [task(1, 'completed', fmt.isoZ(daysAgo(30)))]);
    insertRows(file, 'jobs', [
      { phase: 'completed', done_at: fmt.sqlite(daysAgo(8)), status: 'pending' },
      { phase: 'pending', done_at: fmt.sqlite(daysAgo(8)), status: 'completed' },
    ]);
    const config = path.join(root, 'cleanup.json');
    writeFileSync(config, JSON.stringify({ tables: { tasks: { table: 'jobs', status_column: 'phase', age_column: 'done_at' } } }));
    const { ctx, out } = makeContext(settingsFor(root, {}, config));
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'jobs')).toEqual([2]);
    expect(rowidsOf(file, 'task_queue')).toEqual([1]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:jobs#1']);
  });

  it('applies --days style overrides (task_age_days)', async () => {
    const { file, settings } = taskQueueRoot([task(1, 'completed', fmt.isoZ(daysAgo(3))), task(2, 'completed', fmt.isoZ(daysAgo(1)))]);
    const { ctx, out } = makeContext(settings, { overrides: { task_age_days: 2 } });
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'task_queue')).toEqual([2]);
    expect(out.items[0]?.reason).toBe('finished 3 days ago, limit 2 days');
  });

  it('a dry run changes nothing and reports exactly what the real run then removes', async () => {
    const rows = Array.from({ length: 50 }, (_, i) =>
      task(i + 1, ['completed', 'pending', 'cancelled'][i % 3] ?? null, i % 7 === 0 ? null : fmt.sqlite(daysAgo(i % 12))),
    );
    const { file, settings } = taskQueueRoot(rows);
    const before = selectRows(file, 'task_queue');
    const dry = makeContext(settings, { dryRun: true });
    await tasksHandler.run(dry.ctx);
    expect(selectRows(file, 'task_queue')).toEqual(before);
    expect(dry.out.items.length).toBeGreaterThan(0);

    const real = makeContext(settings);
    await tasksHandler.run(real.ctx);
    expect(real.out.items).toEqual(dry.out.items);
    expect(real.out.warnings).toEqual(dry.out.warnings);
    const removed = new Set(real.out.items.map((i) => Number(i.target.split('#')[1])));
    expect(rowidsOf(file, 'task_queue')).toEqual(before.map((r) => Number(r.rowid)).filter((id) => !removed.has(id)));
  });

  it('keeps a task reopened or touched between planning and deleting', async () => {
    const { file, settings } = taskQueueRoot([
      task(1, 'completed', fmt.isoZ(daysAgo(9))),
      task(2, 'completed', fmt.isoZ(daysAgo(9))),
      task(3, 'completed', fmt.isoZ(daysAgo(9))),
    ]);
    const { ctx, out } = makeContext(settings, {
      beforeExecute: () => {
        execSql(file, `UPDATE task_queue SET status = 'pending' WHERE id = 1`);
        execSql(file, `UPDATE task_queue SET completed_at = ? WHERE id = 2`, fmt.isoZ(NOW - 60_000));
      },
    });
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'task_queue')).toEqual([1, 2]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:task_queue#3']);
    expect(out.skipped).toEqual([
      { category: 'tasks', target: 'architect.db:task_queue#1', reason: 'changed since it was planned' },
      { category: 'tasks', target: 'architect.db:task_queue#2', reason: 'changed since it was planned' },
    ]);
  });

  it('stops before deleting when the run is aborted', async () => {
    const { file, settings } = taskQueueRoot([task(1, 'completed', fmt.isoZ(daysAgo(9)))]);
    const abort = new AbortController();
    const { ctx, out } = makeContext(settings, { signal: abort.signal, beforeExecute: () => abort.abort() });
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'task_queue')).toEqual([1]);
    expect(out.items).toEqual([]);
  });

  it('over many batches deletes exactly the rows one plain DELETE would', async () => {
    const formats = [fmt.isoZ, fmt.sqlite, fmt.unixS, fmt.unixMs, fmt.isoNoZone];
    const statuses = ['completed', 'pending', 'Cancelled', 'running', 'canceled', 'COMPLETED'];
    const rows = Array.from({ length: 5 * BATCH_SIZE + 2_345 }, (_, i) => {
      const format = formats[i % formats.length] ?? fmt.isoZ;
      const at = NOW - ((i * 7919) % (14 * 86_400)) * SECOND;
      return task(i + 1, statuses[i % statuses.length] ?? null, i % 101 === 0 ? null : format(at));
    });
    const { root, file, settings } = taskQueueRoot(rows);
    expect(rows.length).toBeGreaterThan(5 * BATCH_SIZE);
    const oracle = path.join(root, 'oracle.db');
    copyFileSync(file, oracle);

    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);

    const db = new Database(oracle);
    const deleted = db
      .prepare(
        `DELETE FROM task_queue WHERE lower(status) IN ('completed', 'cancelled', 'canceled') AND
           (CASE typeof(completed_at)
              WHEN 'integer' THEN (CASE WHEN completed_at >= 100000000000 THEN completed_at ELSE completed_at * 1000 END)
              WHEN 'text' THEN unixepoch(completed_at) * 1000 END) < ?`,
      )
      .run(NOW - 7 * DAY).changes;
    db.close();
    expect(deleted).toBeGreaterThan(BATCH_SIZE);
    expect(out.items).toHaveLength(deleted);
    expect(selectRows(file, 'task_queue')).toEqual(selectRows(oracle, 'task_queue'));
    expect(out.warnings).toEqual([expect.stringMatching(/^tasks: \d+ rows in task_queue kept because completed_at cannot be read$/)]);
  });

  it.each(['delete', 'wal'])('waits for a dashboard writer holding the lock (%s journal) and finishes', async (mode) => {
    const { file, settings } = taskQueueRoot([task(1, 'completed', fmt.isoZ(daysAgo(9))), task(2, 'pending', fmt.isoZ(daysAgo(9)))]);
    execSql(file, `PRAGMA journal_mode = ${mode}`);
    const child = holdWriteLock(file);
    await child.locked;
    const { ctx, out } = makeContext(settings);
    const started = Date.now();
    child.release(); // commits 300 ms after this, while the handler is at work
    await tasksHandler.run(ctx);
    const ended = Date.now();
    const committedAt = await child.committedAt;
    // The lock was held when the handler started and released before it ended: it waited, then deleted.
    expect(started).toBeLessThan(committedAt);
    expect(committedAt).toBeLessThanOrEqual(ended);
    expect(out.errors).toEqual([]);
    expect(rowidsOf(file, 'task_queue')).toEqual([2]);
    expect(selectRows(file, 'task_queue')[0]?.title).toBe('written by the dashboard');
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe(mode);
    db.close();
  });
});

const holders: ChildProcess[] = [];
afterEach(() => {
  for (const c of holders.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/**
 * A child process that opens the database and holds BEGIN IMMEDIATE (with a write of its own)
 * until `release()`, then commits 300 ms later; `committedAt` is its clock just before COMMIT.
 */
function holdWriteLock(file: string) {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("UPDATE task_queue SET title = 'written by the dashboard' WHERE id = 2").run();
    process.stdin.once('data', () => {
      process.stdin.destroy();
      setTimeout(() => { const at = Date.now(); db.exec('COMMIT'); db.close(); process.stdout.write('committed ' + at + '\\n'); }, 300);
    });
    process.stdout.write('locked\\n');`;
  const child = spawn(process.execPath, ['-e', script, file], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
  holders.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => out.includes('locked') && resolve());
    void exited.then((code) => reject(new Error(`lock holder exited early (${code})`)));
  });
  const committedAt = exited.then((code) => {
    const at = /committed (\d+)/.exec(out)?.[1];
    if (code !== 0 || !at) throw new Error(`lock holder exited ${code} without committing: ${out}`);
    return Number(at);
  });
  return { locked, committedAt, release: () => child.stdin.write('go\n') };
}
