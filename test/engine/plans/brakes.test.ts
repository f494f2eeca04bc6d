/**
 * Issue 15 section 1, a brake on unusual runs: a real run far beyond its history and its
 * category is refused before anything is deleted, keeps its plan, and can be confirmed.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createDashboardDb, insertRows, SCHEMAS } from '../../helpers/db-fixtures.js';
import { type EngineFixture, engineFixture } from '../../helpers/plan-fixtures.js';
import { createEngine } from '../../../src/engine/engine.js';
import { logsHandler } from '../../../src/engine/categories/logs.js';
import type { CategoryHandler } from '../../../src/engine/context.js';
import { openStateStore } from '../../../src/store/state-store.js';
import { silentLogger } from '../../helpers/run-context.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../../helpers/temp-root.js';

/** 40 logs: two 40 days old (a usual run removes them), 38 between 2 and 20 days old. */
function seedLogs(root: string): void {
  writeFileAt(root, 'logs/old-1.log', NOW - 40 * DAY, 'x'.repeat(100));
  writeFileAt(root, 'logs/old-2.log', NOW - 40 * DAY, 'x'.repeat(100));
  for (let i = 0; i < 38; i++) writeFileAt(root, `logs/app-${i}.log`, NOW - (2 + (i % 18)) * DAY, 'y'.repeat(100));
}

const logsLeft = (root: string) => readdirSync(path.join(root, 'logs')).filter((n) => n.endsWith('.log')).length;

/** A usual first run (2 logs), then a run with a typo'd age limit: every log would go. */
async function typoRun(f: EngineFixture, extra: { confirmLarge?: boolean; trigger?: 'cli' | 'schedule' } = {}) {
  seedLogs(f.root);
  const usual = await f.engine.runOnce({ trigger: extra.trigger ?? 'cli', dryRun: false, now: NOW, overrides: { categories: ['logs'] } });
  expect(usual).toMatchObject({ status: 'succeeded', items_total: 2 });
  return f.engine.runOnce({
    trigger: extra.trigger ?? 'cli',
    dryRun: false,
    now: NOW + 3_600_000,
    overrides: { categories: ['logs'], log_age_days: 1 },
    confirmLarge: extra.confirmLarge,
  });
}

describe('the brake on unusual runs', () => {
  it('refuses a real run far beyond its history and its category: nothing deleted, the reason names the numbers, the plan kept', async () => {
    const f = engineFixture();
    const r = await typoRun(f);
    expect(r).toMatchObject({ status: 'refused', success: false, dry_run: false, plan_id: r.run_id, items_total: 38 });
    expect(r.stats.logs_deleted).toBe(38);
    expect(r.refused_reason).toMatch(
      /^refused: logs: 38 items \(3\.7 KB\) planned, more than 2 × the largest of the last 1 real cli run \(2 items \(200 B\)\) and more than 50 % of what logs holds \(38 files \(3\.7 KB\)\); nothing was deleted/,
    );
    expect(r.refused_reason).toContain(`cleanup-worker --apply ${r.run_id}`);
    expect(r.warnings[0]).toBe(r.refused_reason);
    expect(logsLeft(f.root)).toBe(38);
    // The plan is kept in the history, as the refused run's items; the run says why.
    expect(f.store.listItems(r.run_id, 100, 0).items).toHaveLength(38);
    expect(f.store.getRun(r.run_id)).toMatchObject({ status: 'refused', plan_id: r.run_id, refused_reason: r.refused_reason });
    // run.refused goes to the listeners (notifications, metrics) and to the outbox; no item event.
    await new Promise((res) => setImmediate(res));
    const mine = f.events.filter((e) => e.run_id === r.run_id);
    expect(mine.map((e) => e.type).filter((t) => t !== 'run.progress')).toEqual(['run.started', 'run.refused']);
    expect(f.store.outbox.unexpanded(10).map((e) => `${e.type} ${e.run_id}`)).toContain(`run.refused ${r.run_id}`);
    // A refused run is neither "the last run" nor space freed.
    expect(f.store.lastRealRun()?.run_id).not.toBe(r.run_id);
  });

  it('goes ahead when a person confirms it is large (confirm_large / --allow-large)', async () => {
    const f = engineFixture();
    const r = await typoRun(f, { confirmLarge: true });
    expect(r).toMatchObject({ status: 'succeeded', items_total: 38 });
    expect(logsLeft(f.root)).toBe(0);
  });

  it("applying the refused run's plan removes exactly its items", async () => {
    const f = engineFixture();
    const refused = await typoRun(f);
    writeFileAt(f.root, 'logs/since.log', NOW - 30 * DAY, 'new'); // qualifies since: not in the plan
    const applied = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW + 3_700_000, planId: refused.plan_id });
    expect(applied).toMatchObject({ status: 'succeeded', items_total: 38, applied_plan_id: refused.run_id });
    expect(readdirSync(path.join(f.root, 'logs'))).toEqual(['since.log']);
  });

  it('lets a usual run through', async () => {
    const f = engineFixture();
    seedLogs(f.root);
    await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, overrides: { categories: ['logs'] } });
    // 13 days later four logs have aged past 30 days: not beyond 2 × the last run's 2.
    const next = await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW + 13 * DAY, overrides: { categories: ['logs'] } });
    expect(next).toMatchObject({ status: 'succeeded', items_total: 4, warnings: [] });
    expect(logsLeft(f.root)).toBe(34);
  });

  it('never removes more per category than the brake checked, however many qualify by the time of deletion', async () => {
    const root = makeTempDir('cw-plans-');
    seedLogs(root);
    let realPass = 0;
    // The real logs handler; right before its real pass (after the brake's check) ten more old logs appear.
    const growing: CategoryHandler = {
      category: 'logs',
      async run(ctx) {
        if (!ctx.dryRun && realPass++ === 1) {
          for (let i = 0; i < 10; i++) writeFileAt(root, `logs/late-${i}.log`, NOW - 60 * DAY, 'z');
        }
        await logsHandler.run(ctx);
      },
    };
    const settings = settingsFor(root);
    const store = openStateStore(settings);
    try {
      const engine = createEngine({ settings, store, logger: silentLogger, handlers: [growing] });
      await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, overrides: { categories: ['logs'] } });
      const r = await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW + 13 * DAY, overrides: { categories: ['logs'] } });
      expect(r).toMatchObject({ status: 'succeeded', items_total: 4, skipped_total: 10 });
      expect(r.skipped[0]?.reason).toBe('beyond the 4 logs items the brake checked before this run; the next run takes it');
      expect(r.warnings).toEqual(['10 items qualified during the run beyond what the brake checked: kept']);
      expect(logsLeft(root)).toBe(34 + 10);
    } finally {
      store.close();
    }
  });

  it('does not brake the first real run on a root, and reports it with the numbers', async () => {
    const f = engineFixture();
    seedLogs(f.root);
    const r = await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, overrides: { categories: ['logs'], log_age_days: 1 } });
    expect(r.status).toBe('succeeded');
    expect(r.warnings).toEqual(['first real run on this root: not braked (no earlier real run to compare it with); it removed 40 items, 0.00 MB']);
    expect(logsLeft(f.root)).toBe(0);
  });

  it('brakes scheduled runs like manual ones, compared with the scheduled history', async () => {
    const f = engineFixture();
    const r = await typoRun(f, { trigger: 'schedule' });
    expect(r.status).toBe('refused');
    expect(r.refused_reason).toContain('the largest of the last 1 real schedule run');
    expect(logsLeft(f.root)).toBe(38);
  });

  it('brakes a database category: most of a table planned against a history of a few rows', async () => {
    const f = engineFixture();
    const db = createDashboardDb(f.root, SCHEMAS.taskQueue);
    const iso = (ms: number) => new Date(ms).toISOString();
    insertRows(db, 'task_queue', Array.from({ length: 30 }, (_, i) => ({ title: `t${i}`, status: 'completed', completed_at: iso(NOW - (i < 2 ? 20 : 3) * DAY) })));
    await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, overrides: { categories: ['tasks'] } });
    const r = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW + 3_600_000, overrides: { categories: ['tasks'], task_age_days: 1 } });
    expect(r.status).toBe('refused');
    expect(r.refused_reason).toMatch(/tasks: 28 rows planned, more than 2 × the largest of the last 1 real api run \(2 rows\) and more than 50 % of what tasks holds \(28 rows\)/);
    const conn = new Database(db, { readonly: true });
    expect(conn.prepare('SELECT count(*) FROM task_queue').pluck().get()).toBe(28);
    conn.close();
  });

  it('with limits.brake false the same run goes ahead', async () => {
    const f = engineFixture({ config: { limits: { brake: false } } });
    const r = await typoRun(f);
    expect(r.status).toBe('succeeded');
    expect(logsLeft(f.root)).toBe(0);
  });

  it('refuses a run over a hard cap, for the whole run or one category, even the first one', async () => {
    const f = engineFixture({ config: { limits: { max_items_per_run: 30 } } });
    seedLogs(f.root);
    const r = await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, overrides: { categories: ['logs'], log_age_days: 1 } });
    expect(r.status).toBe('refused');
    expect(r.refused_reason).toMatch(/^refused: the run would remove 40 items, over limits\.max_items_per_run 30; nothing was deleted/);
    expect(logsLeft(f.root)).toBe(40);

    const g = engineFixture({ config: { limits: { categories: { logs: { max_bytes_per_run: 1000 } } } } });
    seedLogs(g.root);
    const s = await g.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, overrides: { categories: ['logs'], log_age_days: 1 } });
    expect(s.refused_reason).toMatch(/^refused: logs would remove 3\.9 KB, over limits\.categories\.logs\.max_bytes_per_run 1000 B/);
    expect(logsLeft(g.root)).toBe(40);
    const confirmed = await g.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, overrides: { categories: ['logs'], log_age_days: 1 }, confirmLarge: true });
    expect(confirmed.status).toBe('succeeded');
    expect(existsSync(path.join(g.root, 'logs/old-1.log'))).toBe(false);
  });

  it('rejects an unknown limits key and a bad value, naming the field', () => {
    expect(() => engineFixture({ config: { limits: { brakes: false } } })).toThrow(/limits\.brakes|unknown field "limits\.brakes"/);
    expect(() => engineFixture({ config: { limits: { holding_percent: 0 } } })).toThrow(/limits\.holding_percent/);
  });
});

describe("the brake's budget and rows that must stay", () => {
  it('referenced rows do not use up the budget: every row the brake checked goes, the referenced ones stay', async () => {
    const f = engineFixture();
    const db = createDashboardDb(f.root, SCHEMAS.taskQueue, 'CREATE TABLE task_notes (id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES task_queue(id))');
    const old = new Date(NOW - 30 * DAY).toISOString();
    const task = (id: number) => ({ id, title: `t${id}`, status: 'completed', completed_at: old, created_at: old });
    // A usual first run removes 10 finished tasks (history for the brake).
    insertRows(db, 'task_queue', Array.from({ length: 10 }, (_, i) => task(i + 1)));
    expect(await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, overrides: { categories: ['tasks'] } })).toMatchObject({ status: 'succeeded', items_total: 10 });
    // Next: rows 101-105 are referenced by notes (they stay), rows 106-115 can go: the brake checks 10.
    insertRows(db, 'task_queue', Array.from({ length: 15 }, (_, i) => task(101 + i)));
    insertRows(db, 'task_notes', [101, 102, 103, 104, 105].map((task_id) => ({ task_id })));
    const r = await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW + 3_600_000, overrides: { categories: ['tasks'] } });
    expect(r).toMatchObject({ status: 'succeeded', items_total: 10 });
    expect(r.skipped.map((s) => s.reason)).toEqual(Array(5).fill('referenced by task_notes'));
    const left = new Database(db, { readonly: true });
    expect((left.prepare('SELECT id FROM task_queue ORDER BY id').all() as { id: number }[]).map((x) => x.id)).toEqual([101, 102, 103, 104, 105]);
    left.close();
  });
});
