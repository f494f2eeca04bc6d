/**
 * Issue 14, "preview, then apply exactly that": a dry run's plan_id, applied by a real run that
 * removes only the plan's items, each re-checked at the moment of removal.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { NOT_REACHED } from '../../../src/engine/brakes/gate.js';
import { createDashboardDb, insertRows, SCHEMAS } from '../../helpers/db-fixtures.js';
import { engineFixture } from '../../helpers/plan-fixtures.js';
import { DAY, NOW, writeFileAt } from '../../helpers/temp-root.js';

const stampOf = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');

describe('applying a plan', () => {
  it('removes exactly the planned files: one changed since is skipped with the reason, one that qualifies since is kept', async () => {
    const f = engineFixture();
    const a = writeFileAt(f.root, 'logs/a.log', NOW - 40 * DAY, 'aaaa');
    const b = writeFileAt(f.root, 'logs/b.log', NOW - 40 * DAY, 'bbbb');
    const young = writeFileAt(f.root, 'logs/young.log', NOW - 20 * DAY, 'y');
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW, overrides: { categories: ['logs'] } });
    expect(preview.plan_id).toBe(preview.run_id);
    expect(preview.items.map((i) => i.target).sort()).toEqual(['logs/a.log', 'logs/b.log']);
    // After the preview: b grows (same age), and a new old log appears that the policy would take.
    writeFileAt(f.root, 'logs/b.log', NOW - 40 * DAY, 'bbbbbbbb');
    const late = writeFileAt(f.root, 'logs/late.log', NOW - 50 * DAY, 'late');
    const applied = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW + 5 * 60_000, planId: preview.plan_id });
    expect(applied).toMatchObject({ status: 'succeeded', applied_plan_id: preview.plan_id, items_total: 1 });
    expect(applied.items.map((i) => i.target)).toEqual(['logs/a.log']);
    expect(applied.skipped).toEqual([{ category: 'logs', target: 'logs/b.log', reason: 'changed since it was planned (size)' }]);
    expect(applied.warnings.join('\n')).toMatch(/1 item that qualifies now but is not in plan .+: kept/);
    expect([existsSync(a), existsSync(b), existsSync(late), existsSync(young)]).toEqual([false, true, true, true]);
    expect(f.store.getRun(applied.run_id)).toMatchObject({ applied_plan_id: preview.plan_id, plan_id: null });
    expect(f.store.getRun(preview.run_id)).toMatchObject({ plan_id: preview.run_id });
  });

  it('skips a backup rewritten after the plan was made (same name and size), and a planned file that is gone, each with the reason', async () => {
    const f = engineFixture();
    const names = [1, 2, 3].map((d) => `backups/prod/architect_${stampOf(NOW - d * DAY)}.db`);
    for (const [i, n] of names.entries()) writeFileAt(f.root, n, NOW - (i + 1) * DAY, 'db-v1');
    const gone = writeFileAt(f.root, 'logs/gone.log', NOW - 40 * DAY, 'g');
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW, overrides: { backup_retention: 2, categories: ['backups', 'logs'] } });
    expect(preview.items.map((i) => i.target)).toEqual([names[2], 'logs/gone.log']);
    // Replaced after the preview by another backup of the same name and size: its age comes from
    // its name, so the policy still removes it; only its mtime (after the plan) tells.
    const rewritten = writeFileAt(f.root, names[2] as string, NOW + 10 * 60_000, 'db-v2');
    rmSync(gone);
    const applied = await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW + 20 * 60_000, planId: preview.plan_id });
    expect(applied.items_total).toBe(0);
    expect(applied.skipped).toEqual([
      { category: 'backups', target: names[2], reason: 'changed since it was planned (mtime)' },
      { category: 'logs', target: 'logs/gone.log', reason: NOT_REACHED },
    ]);
    expect(existsSync(rewritten)).toBe(true);
  });

  it("uses the plan's own policy, not the settings of the moment", async () => {
    const f = engineFixture();
    const tenDays = writeFileAt(f.root, 'logs/ten.log', NOW - 10 * DAY, 't');
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW, overrides: { log_age_days: 5, categories: ['logs'] } });
    expect(preview.items_total).toBe(1);
    const applied = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: preview.plan_id });
    expect(applied.items.map((i) => i.target)).toEqual(['logs/ten.log']);
    expect(existsSync(tenDays)).toBe(false);
    await expect(f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: preview.plan_id as string, overrides: { log_age_days: 1 } })).rejects.toThrow(
      /give no overrides/,
    );
  });

  it('keeps a planned backup that is now among the kept, with the reason', async () => {
    const f = engineFixture();
    const files = [1, 2, 3, 4].map((d) => writeFileAt(f.root, `backups/prod/architect_${stampOf(NOW - d * DAY)}.db`, NOW - d * DAY, 'db'));
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW, overrides: { backup_retention: 2, categories: ['backups'] } });
    expect(preview.items.map((i) => path.basename(i.target))).toEqual([path.basename(files[2] as string), path.basename(files[3] as string)]);
    rmSync(files[0] as string); // the newest goes: the third newest is now among the 2 kept
    const applied = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: preview.plan_id });
    expect(applied.items.map((i) => path.basename(i.target))).toEqual([path.basename(files[3] as string)]);
    expect(applied.skipped).toEqual([
      { category: 'backups', target: `backups/prod/${path.basename(files[2] as string)}`, reason: 'changed since it was planned (now one of the 2 most recent prod backups)' },
    ]);
    expect(existsSync(files[2] as string)).toBe(true);
    expect(existsSync(files[3] as string)).toBe(false);
  });

  it('keeps a planned row that no longer matches, and never a row that matches only since the plan', async () => {
    const f = engineFixture();
    const db = createDashboardDb(f.root, SCHEMAS.taskQueue);
    const iso = (ms: number) => new Date(ms).toISOString();
    insertRows(db, 'task_queue', [
      { id: 1, title: 'a', status: 'completed', completed_at: iso(NOW - 30 * DAY) },
      { id: 2, title: 'b', status: 'completed', completed_at: iso(NOW - 30 * DAY) },
      { id: 3, title: 'c', status: 'pending', completed_at: iso(NOW - 30 * DAY) },
    ]);
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW, overrides: { categories: ['tasks'] } });
    expect(preview.items.map((i) => i.target)).toEqual(['architect.db:task_queue#1', 'architect.db:task_queue#2']);
    const conn = new Database(db);
    conn.exec(`UPDATE task_queue SET status = 'pending' WHERE id = 2; UPDATE task_queue SET status = 'completed' WHERE id = 3`);
    const applied = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: preview.plan_id });
    expect(applied.items.map((i) => i.target)).toEqual(['architect.db:task_queue#1']);
    expect(applied.skipped).toEqual([{ category: 'tasks', target: 'architect.db:task_queue#2', reason: NOT_REACHED }]);
    expect(conn.prepare('SELECT id FROM task_queue ORDER BY id').pluck().all()).toEqual([2, 3]);
    conn.close();
  });

  it('refuses an expired plan, a plan applied already, a real run and an unknown id, removing nothing', async () => {
    const f = engineFixture();
    const a = writeFileAt(f.root, 'logs/a.log', NOW - 40 * DAY, 'a');
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW });
    const late = f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW + 61 * 60_000, planId: preview.plan_id });
    await expect(late).rejects.toMatchObject({ code: 'ERR_CLEANUP_PLAN_EXPIRED', message: expect.stringMatching(/expired: it was made 61 minutes ago and plans last 60/) });
    expect(existsSync(a)).toBe(true);
    const first = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW + 60 * 60_000, planId: preview.plan_id });
    expect(existsSync(a)).toBe(false);
    writeFileAt(f.root, 'logs/a.log', NOW - 40 * DAY, 'a');
    const again = f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: preview.plan_id });
    await expect(again).rejects.toMatchObject({ code: 'ERR_CLEANUP_PLAN_APPLIED', message: expect.stringContaining(`run ${first.run_id}`) });
    await expect(f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: first.run_id })).rejects.toMatchObject({ code: 'ERR_CLEANUP_PLAN_NOT_FOUND' });
    await expect(f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: 'no-such-plan' })).rejects.toMatchObject({ code: 'ERR_CLEANUP_PLAN_NOT_FOUND' });
    expect(existsSync(a)).toBe(true);
    // The refused attempts are not runs: the history holds the preview and the one apply.
    expect(f.store.listRuns(10, 0).total).toBe(2);
  });

  it('two engines on the same root applying one plan at once: one applies it, the other is refused as applied', async () => {
    const f = engineFixture();
    const g = engineFixture({ root: f.root });
    for (let i = 0; i < 5; i++) writeFileAt(f.root, `logs/f${i}.log`, NOW - 40 * DAY, 'x');
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW });
    const both = await Promise.allSettled([
      f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: preview.plan_id }),
      g.engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, planId: preview.plan_id }),
    ]);
    const ok = both.filter((r) => r.status === 'fulfilled');
    const refused = both.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused.map((r) => r.reason.code)).toEqual(['ERR_CLEANUP_PLAN_APPLIED']);
    expect((ok[0] as PromiseFulfilledResult<{ items_total: number }>).value.items_total).toBe(5);
  });

  it('removes the temp folders the plan empties, and only those', async () => {
    const f = engineFixture();
    writeFileAt(f.root, 'tmp/x/old.tmp', NOW - 3 * DAY, 'o');
    writeFileAt(f.root, 'tmp/y/old.tmp', NOW - 3 * DAY, 'o');
    const preview = await f.engine.runOnce({ trigger: 'api', dryRun: true, now: NOW, overrides: { categories: ['temp'] } });
    expect(preview.items.map((i) => `${i.action} ${i.target}`).sort()).toEqual(['delete tmp/x/old.tmp', 'delete tmp/y/old.tmp', 'rmdir tmp/x', 'rmdir tmp/y']);
    writeFileSync(path.join(f.root, 'tmp/y/new.tmp'), 'n'); // y is no longer emptied
    const applied = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, planId: preview.plan_id });
    expect(applied.items.map((i) => `${i.action} ${i.target}`).sort()).toEqual(['delete tmp/x/old.tmp', 'delete tmp/y/old.tmp', 'rmdir tmp/x']);
    expect(existsSync(path.join(f.root, 'tmp/y/new.tmp'))).toBe(true);
    expect(applied.skipped).toEqual([{ category: 'temp', target: 'tmp/y', reason: NOT_REACHED }]);
  });
});
