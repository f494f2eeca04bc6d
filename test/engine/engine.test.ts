import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CategoryHandler } from '../../src/engine/context.js';
import { createEngine, RESPONSE_CAP } from '../../src/engine/engine.js';
import { openStateStore } from '../../src/store/state-store.js';
import { BusyError } from '../../src/store/types.js';
import { ConfigError } from '../../src/config/settings.js';
import { silentLogger } from '../helpers/run-context.js';
import { captureLogger } from '../helpers/http-app.js';
import { makeTempDir, NOW, settingsFor } from '../helpers/temp-root.js';
import { createDashboardDb, SCHEMAS } from '../helpers/db-fixtures.js';
import Database from 'better-sqlite3';

/** A handler that reports `n` items of `bytes` each, after an optional gate. */
function fakeHandler(category: CategoryHandler['category'], n: number, bytes: number, gate?: Promise<void>): CategoryHandler {
  return {
    category,
    async run(ctx) {
      await gate;
      for (let i = 0; i < n; i++) {
        if (ctx.signal.aborted) return;
        ctx.report.item({ category, target: `${category}/f${i}`, bytes, action: 'delete', reason: 'old' });
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      ctx.report.warning(`${category} done`);
    },
  };
}

function setup(handlers: CategoryHandler[]) {
  const root = makeTempDir();
  const settings = settingsFor(root);
  const store = openStateStore(settings);
  const engine = createEngine({ settings, store, logger: silentLogger, handlers });
  return { root, settings, store, engine };
}

describe('engine.runOnce', () => {
  it('counts stats per category, converts bytes to MB with two decimals, and records every item', async () => {
    const { engine, store } = setup([fakeHandler('logs', 3, 1_048_576), fakeHandler('temp', 2, 524_288), fakeHandler('tasks', 4, 0)]);
    const r = await engine.runOnce({ trigger: 'api', dryRun: true, now: NOW });
    expect(r.stats).toEqual({ backups_deleted: 0, logs_deleted: 3, tasks_deleted: 4, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 2, space_freed_mb: 4 });
    expect(r).toMatchObject({ success: true, dry_run: true, trigger: 'api', items_total: 9, status: 'succeeded' });
    expect(r.warnings).toEqual(['logs done', 'temp done', 'tasks done']);
    expect(store.listItems(r.run_id, 100, 0).total).toBe(9);
    expect(store.getRun(r.run_id)).toMatchObject({ status: 'succeeded', dry_run: true, items_total: 9 });
    store.close();
  });

  it('caps response items at 1000 but records all of them in the history', async () => {
    const { engine, store } = setup([fakeHandler('temp', 2500, 1)]);
    const r = await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW });
    expect(r.items).toHaveLength(RESPONSE_CAP);
    expect(r.items_total).toBe(2500);
    expect(store.listItems(r.run_id, 5000, 0).items).toHaveLength(2500);
    store.close();
  });

  it('does not count emptied temp folders as temp files', async () => {
    const handler: CategoryHandler = {
      category: 'temp',
      async run(ctx) {
        ctx.report.item({ category: 'temp', target: 'tmp/a/f', bytes: 10, action: 'delete', reason: 'old' });
        ctx.report.item({ category: 'temp', target: 'tmp/a', bytes: 0, action: 'rmdir', reason: 'empty folder left by temp cleanup' });
      },
    };
    const { engine, store } = setup([handler]);
    const r = await engine.runOnce({ trigger: 'api', dryRun: false, now: NOW });
    expect(r.stats.temp_files_deleted).toBe(1);
    expect(r.items_total).toBe(2);
    store.close();
  });

  it('answers a second concurrent run with BusyError naming the running run', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { engine, store } = setup([fakeHandler('logs', 1, 1, gate)]);
    const first = engine.runOnce({ trigger: 'api', dryRun: false, now: NOW });
    await new Promise((r) => setTimeout(r, 20));
    const running = engine.current();
    expect(running?.trigger).toBe('api');
    await expect(engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW })).rejects.toBeInstanceOf(BusyError);
    await expect(engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW })).rejects.toMatchObject({ runId: running?.run_id });
    open();
    await first;
    expect(engine.current()).toBeNull();
    expect(store.listRuns(10, 0).total).toBe(1);
    store.close();
  });

  it('refuses invalid overrides before taking the lock, recording no run', async () => {
    const { engine, store } = setup([fakeHandler('logs', 1, 1)]);
    await expect(engine.runOnce({ trigger: 'api', dryRun: false, overrides: { backup_retention: 0 } })).rejects.toBeInstanceOf(ConfigError);
    await expect(engine.runOnce({ trigger: 'api', dryRun: false, overrides: { backup_retention: { prod: 0 } } })).rejects.toThrow(/backup_retention/);
    expect(store.listRuns(10, 0).total).toBe(0);
    store.close();
  });

  it('runs only the selected categories', async () => {
    const { engine, store } = setup([fakeHandler('logs', 1, 1), fakeHandler('temp', 1, 1)]);
    const r = await engine.runOnce({ trigger: 'api', dryRun: true, overrides: { categories: ['temp'] }, now: NOW });
    expect(r.stats.logs_deleted).toBe(0);
    expect(r.stats.temp_files_deleted).toBe(1);
    store.close();
  });

  it('marks a run aborted by shutdown as interrupted and frees the lock', async () => {
    const { engine, store } = setup([fakeHandler('temp', 100_000, 1)]);
    const ac = new AbortController();
    const run = engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW, signal: ac.signal });
    setTimeout(() => ac.abort(), 5);
    const r = await run;
    expect(r.status).toBe('interrupted');
    expect(r.items_total).toBeLessThan(100_000);
    expect(store.getRun(r.run_id)?.status).toBe('interrupted');
    expect(store.runningRun()).toBeNull();
    store.close();
  });

  it('keeps going after a category throws, reporting it as an error (status partial)', async () => {
    const broken: CategoryHandler = { category: 'errors', async run() { throw new Error('boom'); } };
    const { engine, store } = setup([broken, fakeHandler('temp', 2, 1)]);
    const r = await engine.runOnce({ trigger: 'api', dryRun: false, now: NOW });
    expect(r.success).toBe(false);
    expect(r.status).toBe('partial');
    expect(r.errors[0]?.message).toMatch(/boom/);
    expect(r.stats.temp_files_deleted).toBe(2);
    store.close();
  });

  it('warns and does nothing when the root does not exist, creating nothing', async () => {
    const parent = makeTempDir();
    const root = path.join(parent, 'missing');
    const settings = settingsFor(root);
    const store = openStateStore(settingsFor(parent));
    const engine = createEngine({ settings, store, logger: silentLogger, handlers: [fakeHandler('logs', 3, 1)] });
    const r = await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW });
    expect(r.items_total).toBe(0);
    expect(r.warnings[0]).toMatch(/does not exist/);
    expect(existsSync(root)).toBe(false);
    store.close();
  });

  it('appends one activity_log row per real run naming it, and none for a dry run', async () => {
    const { root, engine, store } = setup([fakeHandler('logs', 2, 10)]);
    const file = createDashboardDb(root, SCHEMAS.activityLog);
    await engine.runOnce({ trigger: 'api', dryRun: true, now: NOW });
    const real = await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW });
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT action, details FROM activity_log').all() as { action: string; details: string }[];
    db.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.details).toContain(real.run_id);
    store.close();
  });

  it('logs each removed item at info; a dry run logs its items only at debug', async () => {
    const root = makeTempDir();
    const settings = settingsFor(root);
    const store = openStateStore(settings);
    const run = async (level: 'info' | 'debug', dryRun: boolean) => {
      const { logger, lines } = captureLogger(level);
      const engine = createEngine({ settings, store, logger, handlers: [fakeHandler('logs', 3, 10)] });
      const r = await engine.runOnce({ trigger: 'cli', dryRun, now: NOW });
      await new Promise((resolve) => setImmediate(resolve));
      return { r, items: lines.filter((l) => l.target !== undefined && l.msg !== 'skipped') };
    };
    const real = await run('info', false);
    expect(real.items.map((l) => [l.msg, l.target, l.run_id, l.reason, l.level])).toEqual(
      [0, 1, 2].map((i) => ['removed', `logs/f${i}`, real.r.run_id, 'old', 30]),
    );
    expect((await run('info', true)).items).toEqual([]);
    const debug = await run('debug', true);
    expect(debug.items.map((l) => [l.msg, l.target, l.level])).toEqual([0, 1, 2].map((i) => ['would remove', `logs/f${i}`, 20]));
    store.close();
  });
});
