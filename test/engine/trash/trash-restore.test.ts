/**
 * Restoring a run's trash (issue 15 section 3): `runOnce({ restore: { runId } })` puts files and
 * rows back exactly where and as they were, never over an existing file or row (conflicts are
 * errors, the item stays in the trash), and the history records the restore as a run of its own.
 */
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { insertRows } from '../../helpers/db-fixtures.js';
import { DAY, NOW, writeFileAt } from '../../helpers/temp-root.js';
import { filesUnder, rowsOf, runWith, trashRoot, trashSettings } from '../../helpers/trash-fixtures.js';
import { openStateStore } from '../../../src/store/state-store.js';

describe('restore from the trash', () => {
  it('puts every file and row of a run back, values and mtimes intact, and records a restore run', async () => {
    const { root, db } = trashRoot();
    const settings = trashSettings(root);
    const tasksBefore = rowsOf(db, 'task_queue');
    const errorsBefore = rowsOf(db, 'errors');
    const mtime = statSync(path.join(root, 'logs/app/old-b.log')).mtimeMs;
    const cleaned = await runWith(settings);
    expect(rowsOf(db, 'task_queue').size).toBe(2);

    const restored = await runWith(settings, { trigger: 'api', restore: { runId: cleaned.run_id }, now: NOW + 3_600_000 });
    expect(restored).toMatchObject({ status: 'succeeded', trigger: 'api', dry_run: false, errors: [] });
    expect(restored.items.every((i) => i.action === 'restore')).toBe(true);
    expect(restored.items.map((i) => i.target).sort()).toEqual(
      ['architect.db:errors#1', 'architect.db:task_queue#1', 'architect.db:task_queue#2', 'logs/app/old-b.log', 'logs/old-a.log', 'tmp/job/old.tmp'].sort(),
    );
    expect(readFileSync(path.join(root, 'logs/app/old-b.log'), 'utf8')).toBe('bbbbbbbb');
    expect(statSync(path.join(root, 'logs/app/old-b.log')).mtimeMs).toBe(mtime);
    // The temp folder the run emptied and removed is made again.
    expect(existsSync(path.join(root, 'tmp/job/old.tmp'))).toBe(true);
    expect(rowsOf(db, 'task_queue')).toEqual(tasksBefore);
    expect(rowsOf(db, 'errors')).toEqual(errorsBefore);
    // Nothing is left in the trash, and the restore is in the history with its items.
    expect(filesUnder(path.join(root, '.cleanup/trash', cleaned.run_id))).toEqual([]);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(0);
    expect(restored.stats.logs_deleted).toBe(0);
    const store = openStateStore(settings);
    try {
      expect(store.getRun(restored.run_id)).toMatchObject({ trigger: 'api', dry_run: false, status: 'succeeded', settings: { restore: { run_id: cleaned.run_id } } });
      expect(store.listItems(restored.run_id, 100, 0).items.filter((i) => i.action === 'restore')).toHaveLength(6);
    } finally {
      store.close();
    }
  });

  it('holds what it put back for keep_hours: the next runs keep it (skipped, with the reason), later ones may take it again', async () => {
    const { root, db } = trashRoot();
    const settings = trashSettings(root, { keepHours: 24 });
    const cleaned = await runWith(settings);
    const restored = await runWith(settings, { restore: { runId: cleaned.run_id }, now: NOW + 3_600_000 });
    const hourly = await runWith(settings, { now: NOW + 2 * 3_600_000 });
    expect(hourly.items.filter((i) => i.action === 'trash')).toEqual([]);
    expect(hourly.skipped.map((s) => s.target).sort()).toEqual(restored.items.map((i) => i.target).sort());
    expect(hourly.skipped[0]?.reason).toMatch(new RegExp(`restored from the trash by run ${restored.run_id}; kept until 2026-02-08T20:07:36.000Z`));
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(true);
    expect(rowsOf(db, 'task_queue').size).toBe(4);
    // The hold ends keep_hours after the restore; the policy applies again.
    const dayLater = await runWith(settings, { now: NOW + 26 * 3_600_000 });
    expect(dayLater.items.filter((i) => i.action === 'trash').map((i) => i.target)).toContain('logs/old-a.log');
  });

  it('never overwrites: a file or a row that took the place is a conflict, and the item stays in the trash', async () => {
    const { root, db } = trashRoot();
    const settings = trashSettings(root);
    const cleaned = await runWith(settings);
    writeFileSync(path.join(root, 'logs/old-a.log'), 'a new log');
    insertRows(db, 'task_queue', [{ id: 1, title: 'a new task', status: 'pending', completed_at: null, created_at: 'now' }]);
    const restored = await runWith(settings, { restore: { runId: cleaned.run_id } });
    expect(restored.status).toBe('partial');
    expect(readFileSync(path.join(root, 'logs/old-a.log'), 'utf8')).toBe('a new log');
    expect(JSON.parse(rowsOf(db, 'task_queue').get(1) ?? '[]')[1]).toEqual(['string', 'a new task']);
    expect(restored.errors.map((e) => e.target).sort()).toEqual(['architect.db:task_queue#1', 'logs/old-a.log']);
    expect(restored.errors[0]?.message).toMatch(/never overwritten|taken by another row/);
    expect(filesUnder(path.join(root, '.cleanup/trash', cleaned.run_id))).toEqual(['logs/old-a.log']);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(1);
    // The rest came back.
    expect(existsSync(path.join(root, 'logs/app/old-b.log'))).toBe(true);
    expect(rowsOf(db, 'task_queue').has(2)).toBe(true);
  });

  it('restores only the category or the targets asked for', async () => {
    const { root, db } = trashRoot();
    const settings = trashSettings(root);
    const cleaned = await runWith(settings);
    const onlyTasks = await runWith(settings, { restore: { runId: cleaned.run_id, category: 'tasks' } });
    expect(onlyTasks.items.map((i) => i.target)).toEqual(['architect.db:task_queue#1', 'architect.db:task_queue#2']);
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(false);
    const oneFolder = await runWith(settings, { restore: { runId: cleaned.run_id, targets: ['logs/app', 'architect.db:errors#1'] } });
    expect(oneFolder.items.map((i) => i.target).sort()).toEqual(['architect.db:errors#1', 'logs/app/old-b.log']);
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(false);
    expect(rowsOf(db, 'errors').has(1)).toBe(true);
  });

  it('refuses a run id that is not one (../, a slash) and a run the history does not know, before anything runs', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root);
    await runWith(settings);
    await expect(runWith(settings, { restore: { runId: '../..' } })).rejects.toMatchObject({ code: 'ERR_CLEANUP_CONFIG' });
    await expect(runWith(settings, { restore: { runId: 'a/b' } })).rejects.toMatchObject({ code: 'ERR_CLEANUP_CONFIG' });
    await expect(runWith(settings, { restore: { runId: 'no-such-run' } })).rejects.toMatchObject({ code: 'ERR_CLEANUP_NOT_FOUND' });
    const store = openStateStore(settings);
    try {
      expect(store.listRuns(10, 0).total).toBe(1);
    } finally {
      store.close();
    }
  });

  it('says so when a run has nothing in the trash', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root);
    const dry = await runWith(settings, { dryRun: true });
    const r = await runWith(settings, { restore: { runId: dry.run_id } });
    expect(r.items).toEqual([]);
    expect(r.warnings.join()).toMatch(/nothing in the trash of run/);
  });
});

describe('purge', () => {
  it('a later run purges a trash older than keep_hours, recording each item with its reason and freed bytes', async () => {
    const { root, db } = trashRoot();
    const settings = trashSettings(root, { keepHours: 72 });
    const first = await runWith(settings);
    // 72 hours later exactly: kept; one more millisecond: purged.
    const within = await runWith(settings, { now: NOW + 72 * 3_600_000 });
    expect(within.items.filter((i) => i.action === 'purge')).toEqual([]);
    const after = await runWith(settings, { now: NOW + 72 * 3_600_000 + 1 });
    const purged = after.items.filter((i) => i.action === 'purge');
    expect(purged.map((i) => i.target).sort()).toEqual(
      [
        'architect.db:errors#1',
        'architect.db:task_queue#1',
        'architect.db:task_queue#2',
        `.cleanup/trash/${first.run_id}/logs/app/old-b.log`,
        `.cleanup/trash/${first.run_id}/logs/old-a.log`,
        `.cleanup/trash/${first.run_id}/tmp/job/old.tmp`,
      ].sort(),
    );
    expect(purged[0]?.reason).toMatch(new RegExp(`in the trash of run ${first.run_id} since .* \\(72 hours\\), keep_hours 72`));
    // Purged files free their bytes now (14 bytes here: 0.00 MB); they are not counted as deleted again.
    expect(purged.filter((i) => i.target.endsWith('.log')).map((i) => i.bytes).sort()).toEqual([4, 8]);
    expect(after.stats.logs_deleted).toBe(0);
    expect(existsSync(path.join(root, '.cleanup/trash', first.run_id))).toBe(false);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(0);
    // The dashboard is untouched by a purge.
    expect([...rowsOf(db, 'task_queue').keys()].sort()).toEqual([3, 4]);
    const restore = await runWith(settings, { restore: { runId: first.run_id } });
    expect(restore.items).toEqual([]);
  });

  it('a dry run lists the purge and removes nothing', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root, { keepHours: 1 });
    const first = await runWith(settings);
    const dry = await runWith(settings, { dryRun: true, now: NOW + 2 * 3_600_000 });
    expect(dry.items.filter((i) => i.action === 'purge')).toHaveLength(6);
    expect(filesUnder(path.join(root, '.cleanup/trash', first.run_id))).toHaveLength(3);
  });

  it('below min_free_percent the trash is purged first, oldest run first, until there is enough', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root, { keepHours: 1000 });
    const first = await runWith(settings);
    writeFileAt(root, 'logs/second.log', NOW - 40 * DAY, 'x'.repeat(100));
    const second = await runWith(settings, { now: NOW + 3_600_000 });
    expect(filesUnder(path.join(root, '.cleanup/trash', second.run_id))).toEqual(['logs/second.log']);
    // A file system of 1000 bytes with 50 free + whatever the trash frees: 10 % needs 100 bytes,
    // which the first run's 14 bytes do not give, the second's 100 do.
    const full = trashSettings(root, { keepHours: 1000, minFreePercent: 10 });
    const r = await runWith(full, {
      now: NOW + 2 * 3_600_000,
      trashHooks: { fileSystem: () => ({ totalBytes: 1000, freeBytes: 50 + (114 - trashBytes(root)) }) },
    });
    const purged = r.items.filter((i) => i.action === 'purge').map((i) => i.target);
    expect(purged.slice(0, 3).every((t) => t.startsWith(`.cleanup/trash/${first.run_id}/`) || t.startsWith('architect.db:'))).toBe(true);
    expect(purged.at(-1)).toBe(`.cleanup/trash/${second.run_id}/logs/second.log`);
    expect(r.items.find((i) => i.action === 'purge')?.reason).toMatch(/the file system had 5% free, below min_free_percent 10/);
    expect(existsSync(path.join(root, '.cleanup/trash', second.run_id))).toBe(false);
  });

  it('when even an empty trash leaves the file system below min_free_percent, the run deletes instead and says so', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root, { minFreePercent: 10 });
    const r = await runWith(settings, { trashHooks: { fileSystem: () => ({ totalBytes: 1000, freeBytes: 10 }) } });
    expect(r.items.filter((i) => i.category === 'logs').map((i) => i.action)).toEqual(['delete', 'delete']);
    expect(r.warnings.join()).toMatch(/1% free, below min_free_percent 10, even with the trash empty: this run deletes/);
    expect(existsSync(path.join(root, '.cleanup/trash', r.run_id))).toBe(false);
  });
});

/** Bytes of the files in the whole trash. */
function trashBytes(root: string): number {
  const dir = path.join(root, '.cleanup/trash');
  return filesUnder(dir).filter((f) => !f.startsWith('trash.db')).reduce((s, f) => s + statSync(path.join(dir, f)).size, 0);
}

describe('names of any bytes', () => {
  it('trashes and restores a log whose name is not UTF-8, byte for byte', async () => {
    const { root } = trashRoot();
    const name = Buffer.concat([Buffer.from(`${root}/logs/old-`), Buffer.from([0xff, 0xfe]), Buffer.from('.log')]);
    writeFileSync(name, 'raw');
    utimesSync(name, (NOW - 40 * DAY) / 1000, (NOW - 40 * DAY) / 1000);
    const settings = trashSettings(root);
    const cleaned = await runWith(settings);
    expect(cleaned.items.map((i) => i.target)).toContain('logs/old-\\xff\\xfe.log');
    expect(existsSync(name)).toBe(false);
    const restored = await runWith(settings, { restore: { runId: cleaned.run_id, targets: ['logs/old-\\xff\\xfe.log'] } });
    expect(restored.items.map((i) => i.target)).toEqual(['logs/old-\\xff\\xfe.log']);
    expect(readFileSync(name, 'utf8')).toBe('raw');
    const raw = readdirSync(Buffer.from(`${root}/logs`), { encoding: 'buffer' }).map((b) => b.toString('hex'));
    expect(raw).toContain(Buffer.from([...Buffer.from('old-'), 0xff, 0xfe, ...Buffer.from('.log')]).toString('hex'));
  });
});
