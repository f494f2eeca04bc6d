/**
 * Run lifecycle events (domain/events.ts): what a listener given to createEngine sees, and that a
 * listener which throws, rejects or is slow changes nothing about the run.
 */
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { RunEvent, RunListener } from '../../src/domain/events.js';
import type { CategoryHandler, EngineLogger } from '../../src/engine/context.js';
import { createEngine } from '../../src/engine/engine.js';
import { openStateStore } from '../../src/store/state-store.js';
import { createDashboardDb, SCHEMAS } from '../helpers/db-fixtures.js';
import { captureLogger } from '../helpers/http-app.js';
import { silentLogger } from '../helpers/run-context.js';
import { makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

/** Removes `n` real files under logs/ (created here), reporting progress first. */
function removingHandler(root: string, n: number): CategoryHandler {
  for (let i = 0; i < n; i++) writeFileAt(root, `logs/f${i}.log`, NOW, 'x'.repeat(10));
  return {
    category: 'logs',
    async run(ctx) {
      ctx.report.progress('logs', 'executing', 0);
      for (let i = 0; i < n; i++) {
        rmSync(path.join(root, `logs/f${i}.log`));
        ctx.report.item({ category: 'logs', target: `logs/f${i}.log`, bytes: 10, action: 'delete', reason: 'old' });
        if (i % 10 === 0) await new Promise((r) => setImmediate(r));
      }
    },
  };
}

function setup(n: number, listeners: RunListener[], logger: EngineLogger = silentLogger) {
  const root = makeTempDir();
  const settings = settingsFor(root);
  const store = openStateStore(settings);
  const engine = createEngine({ settings, store, logger, handlers: [removingHandler(root, n)], listeners });
  return { root, store, engine };
}

const recorder = () => {
  const events: RunEvent[] = [];
  return { events, listener: { onEvent: (e: RunEvent) => void events.push(e) } satisfies RunListener };
};
const nextTick = () => new Promise((r) => setImmediate(r));

describe('run events', () => {
  it('tells a listener run.started, run.progress, every item, then run.finished with the result', async () => {
    const { events, listener } = recorder();
    const { engine, store } = setup(25, [listener]);
    const r = await engine.runOnce({ trigger: 'api', dryRun: false, now: NOW });
    await nextTick();
    expect(events[0]).toEqual({ type: 'run.started', run_id: r.run_id, trigger: 'api', dry_run: false, started_at: r.started_at });
    expect(events[1]).toEqual({ type: 'run.progress', run_id: r.run_id, category: 'logs', phase: 'executing', items_so_far: 0 });
    const items = events.filter((e) => e.type === 'item');
    expect(items.map((e) => e.item.target)).toEqual(Array.from({ length: 25 }, (_, i) => `logs/f${i}.log`));
    expect(events.at(-1)).toEqual({ type: 'run.finished', run_id: r.run_id, result: r });
    expect(events).toHaveLength(2 + 25 + 1);
    store.close();
  });

  it('a listener that throws on every event, and one that rejects, leave the run, its history and activity row as they were', async () => {
    const { logger, lines } = captureLogger('info');
    const thrower: RunListener = {
      onEvent() {
        throw new Error('listener broke');
      },
    };
    const rejecter: RunListener = { onEvent: async () => Promise.reject(new Error('listener rejected')) };
    const { events, listener } = recorder();
    const { root, engine, store } = setup(30, [thrower, rejecter, listener], logger);
    const db = createDashboardDb(root, SCHEMAS.activityLog);
    const r = await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW });
    await nextTick();
    await nextTick();
    // The only warning is the brake's report of a first real run (issue 15), not the listeners' failures.
    expect(r).toMatchObject({ status: 'succeeded', items_total: 30, errors: [], warnings: [expect.stringMatching(/^first real run on this root: not braked/)] });
    expect(existsSync(path.join(root, 'logs/f0.log'))).toBe(false);
    expect(store.listItems(r.run_id, 100, 0).total).toBe(30);
    expect(store.getRun(r.run_id)).toMatchObject({ status: 'succeeded', items_total: 30 });
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT count(*) AS n FROM activity_log').get()).toEqual({ n: 1 });
    conn.close();
    // The listener after the broken ones still got everything.
    expect(events.at(-1)?.type).toBe('run.finished');
    const failures = lines.filter((l) => l.msg === 'run listener failed');
    expect(failures.filter((l) => l.listener === 0)).toHaveLength(10);
    expect(failures.filter((l) => l.listener === 1)).toHaveLength(10);
    expect(lines.filter((l) => l.msg === 'run listener failed repeatedly').map((l) => l.listener)).toContain(0);
    store.close();
  });

  it('a listener doing slow synchronous work is called after the run has returned and recorded', async () => {
    let endSeenAt = 0;
    let runStillRunning: boolean | null = null;
    let running: () => boolean = () => true;
    const slow: RunListener = {
      onEvent(e) {
        if (e.type !== 'run.finished') return;
        runStillRunning = running();
        const until = Date.now() + 300;
        while (Date.now() < until) {
          /* busy */
        }
        endSeenAt = Date.now();
      },
    };
    const { engine, store } = setup(5, [slow]);
    running = () => engine.current() !== null || store.runningRun() !== null;
    const t0 = Date.now();
    const r = await engine.runOnce({ trigger: 'api', dryRun: true, now: NOW });
    const returnedAt = Date.now();
    expect(endSeenAt).toBe(0);
    // The run returned and was recorded before the listener got its end event (no duration
    // asserted here: the bench measures speed).
    expect(r.status).toBe('succeeded');
    expect(returnedAt).toBeGreaterThanOrEqual(t0);
    await nextTick();
    expect(endSeenAt).toBeGreaterThanOrEqual(returnedAt + 300);
    expect(runStillRunning).toBe(false);
    store.close();
  });

  it('a run that crashes ends with run.failed, not run.finished, and leaves no activity row', async () => {
    const { events, listener } = recorder();
    const root = makeTempDir();
    const settings = settingsFor(root);
    const db = createDashboardDb(root, SCHEMAS.activityLog);
    const store = openStateStore(settings);
    // A logger that fails while a category's failure is being reported: the run itself crashes.
    const logger: EngineLogger = {
      ...silentLogger,
      warn() {
        throw new Error('log device gone');
      },
    };
    const broken: CategoryHandler = { category: 'errors', run: async () => Promise.reject(new Error('boom')) };
    const engine = createEngine({ settings, store, logger, handlers: [broken], listeners: [listener] });
    const r = await engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW });
    await nextTick();
    expect(r.status).toBe('failed');
    expect(events.map((e) => e.type)).toEqual(['run.started', 'run.failed']);
    expect(events.at(-1)).toMatchObject({ result: { run_id: r.run_id, status: 'failed' } });
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT count(*) AS n FROM activity_log').get()).toEqual({ n: 0 });
    conn.close();
    store.close();
  });

  it('a run that crashes before its first category charges no category: the failure is a warning', async () => {
    const parent = makeTempDir();
    const settings = settingsFor(path.join(parent, 'missing'));
    const store = openStateStore(settingsFor(parent));
    // The missing root's warning is logged before any category: that log call fails.
    const logger: EngineLogger = {
      ...silentLogger,
      warn() {
        throw new Error('log device gone');
      },
    };
    const engine = createEngine({ settings, store, logger, handlers: [removingHandler(parent, 0)] });
    const r = await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW });
    expect(r.status).toBe('failed');
    expect(r.errors).toEqual([]);
    expect(r.warnings.at(-1)).toBe('run failed: log device gone');
    expect(store.getRun(r.run_id)).toMatchObject({ status: 'failed', errors_total: 0 });
    store.close();
  });

  it('a listener changing the result it was given does not change what the caller got', async () => {
    const mutator: RunListener = {
      onEvent(e) {
        if (e.type === 'run.finished') (e.result.warnings as string[]).push('changed by a listener');
      },
    };
    const { engine, store } = setup(2, [mutator]);
    const r = await engine.runOnce({ trigger: 'api', dryRun: true, now: NOW });
    await nextTick();
    expect(r.warnings).toEqual([]);
    expect(store.getRun(r.run_id)?.warnings).toEqual([]);
    store.close();
  });
});
