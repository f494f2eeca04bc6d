import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStateStore, openStateStoreAt } from '../../src/store/state-store.js';
import { BusyError } from '../../src/store/types.js';
import { isProcessAlive, processStartTime } from '../../src/store/process-identity.js';
import { makeTempDir, settingsFor } from '../helpers/temp-root.js';
import type { FinishRun } from '../../src/store/types.js';

const zero = { backups_deleted: 0, logs_deleted: 0, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 0 };
const done = (over: Partial<FinishRun> = {}): FinishRun => ({
  status: 'succeeded', finishedAt: new Date().toISOString(), stats: zero, itemsTotal: 0, skippedTotal: 0, errorsTotal: 0,
  warnings: [], skipped: [], errors: [], ...over,
});
const start = (dryRun = false) => ({ trigger: 'api' as const, dryRun, settings: {} });

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

/** A real second process that holds the lock (inserting the lock row as a live owner would). */
function holdLockInChild(dbFile: string, runId: string): Promise<ChildProcess> {
  const code = `
    const Database = require('better-sqlite3');
    const fs = require('fs');
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const db = new Database(process.argv[1]);
    db.pragma('busy_timeout = 5000');
    db.prepare("INSERT INTO runs (run_id, trigger, dry_run, started_at, status, pid, pid_start) VALUES (?, 'cli', 0, ?, 'running', ?, ?)").run(process.argv[2], new Date().toISOString(), process.pid, start);
    db.prepare('INSERT INTO lock (id, run_id, pid, pid_start, acquired_at) VALUES (1, ?, ?, ?, ?)').run(process.argv[2], process.pid, start, new Date().toISOString());
    db.close();
    console.log('held');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['-e', code, dbFile, runId], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d) => String(d).includes('held') && resolve(child));
    child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

describe('state store', () => {
  it('creates .cleanup/state.db under the root and records a run with its items', () => {
    const root = makeTempDir();
    const store = openStateStore(settingsFor(root));
    const id = store.startRun(start());
    store.appendItems(id, [{ category: 'logs', target: 'logs/a.log', bytes: 10, action: 'delete', reason: 'r' }]);
    store.finishRun(id, done({ itemsTotal: 1, stats: { ...zero, logs_deleted: 1 } }));
    expect(store.getRun(id)).toMatchObject({ run_id: id, status: 'succeeded', items_total: 1, stats: { logs_deleted: 1 } });
    expect(store.listItems(id, 10, 0)).toEqual({ total: 1, items: [{ category: 'logs', target: 'logs/a.log', bytes: 10, action: 'delete', reason: 'r' }] });
    store.close();
    expect(new Database(path.join(root, '.cleanup', 'state.db')).pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('refuses a second run while the first holds the lock, in the same process', () => {
    const store = openStateStore(settingsFor(makeTempDir()));
    const first = store.startRun(start());
    expect(() => store.startRun(start())).toThrow(BusyError);
    try {
      store.startRun(start());
    } catch (err) {
      expect((err as BusyError).runId).toBe(first);
    }
    store.finishRun(first, done());
    expect(() => store.finishRun(store.startRun(start()), done())).not.toThrow();
    store.close();
  });

  it('refuses a run while another live process holds the lock, and takes it over once that process dies', async () => {
    const root = makeTempDir();
    const store = openStateStore(settingsFor(root));
    const child = await holdLockInChild(path.join(root, '.cleanup', 'state.db'), 'held-by-child');
    expect(() => store.startRun(start())).toThrow(/held-by-child/);
    expect(store.runningRun()?.run_id).toBe('held-by-child');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const id = store.startRun(start());
    expect(store.getRun('held-by-child')?.status).toBe('interrupted');
    store.finishRun(id, done());
    store.close();
  });

  it('marks runs of dead processes interrupted at start, and leaves live ones alone', () => {
    const root = makeTempDir();
    const store = openStateStore(settingsFor(root));
    const live = store.startRun(start());
    const db = new Database(path.join(root, '.cleanup', 'state.db'));
    db.prepare("INSERT INTO runs (run_id, trigger, dry_run, started_at, status, pid, pid_start) VALUES ('dead', 'api', 0, '2026-01-01T00:00:00Z', 'running', 999999999, '1')").run();
    db.close();
    expect(store.markInterrupted()).toBe(1);
    expect(store.getRun('dead')?.status).toBe('interrupted');
    expect(store.getRun(live)?.status).toBe('running');
    store.close();
  });

  it('does not mistake a recycled pid for the lock owner', () => {
    expect(isProcessAlive(process.pid, processStartTime(process.pid))).toBe(true);
    expect(isProcessAlive(process.pid, 'not-my-start-time')).toBe(false);
    expect(isProcessAlive(999_999_999, null)).toBe(false);
  });

  it('lists runs newest first with a total and pages items', () => {
    const store = openStateStoreAt(path.join(makeTempDir(), 'state.db'));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = store.startRun(start(i % 2 === 0));
      store.appendItems(id, Array.from({ length: 7 }, (_, k) => ({ category: 'temp' as const, target: `tmp/${k}`, bytes: k, action: 'delete' as const, reason: 'old' })));
      store.finishRun(id, done({ itemsTotal: 7 }));
      ids.push(id);
    }
    const page = store.listRuns(2, 1);
    expect(page.total).toBe(5);
    expect(page.runs.map((r) => r.run_id)).toEqual([ids[3], ids[2]]);
    expect(store.listItems(ids[0] as string, 3, 5).items.map((i) => i.target)).toEqual(['tmp/5', 'tmp/6']);
    expect(store.lastRealRun()?.run_id).toBe(ids[3]);
    store.close();
  });

  it('keeps last real run across a reopen', () => {
    const root = makeTempDir();
    let store = openStateStore(settingsFor(root));
    const id = store.startRun(start(false));
    store.finishRun(id, done({ stats: { ...zero, temp_files_deleted: 3 } }));
    store.finishRun(store.startRun(start(true)), done());
    store.close();
    store = openStateStore(settingsFor(root));
    expect(store.lastRealRun()).toMatchObject({ run_id: id, stats: { temp_files_deleted: 3 } });
    store.close();
  });
});

describe('lastRealRun cache', () => {
  it('sees a real run finished by another process-like connection at once, and its own writes', () => {
    const root = makeTempDir();
    const a = openStateStore(settingsFor(root));
    const b = openStateStore(settingsFor(root));
    expect(a.lastRealRun()).toBeNull();
    const fromB = b.startRun(start(false));
    b.finishRun(fromB, done({ stats: { ...zero, logs_deleted: 2 } }));
    expect(a.lastRealRun()).toMatchObject({ run_id: fromB, stats: { logs_deleted: 2 } });
    const fromA = a.startRun(start(false));
    a.finishRun(fromA, done({ stats: { ...zero, logs_deleted: 7 } }));
    expect(a.lastRealRun()).toMatchObject({ run_id: fromA, stats: { logs_deleted: 7 } });
    expect(b.lastRealRun()?.run_id).toBe(fromA);
    a.close();
    b.close();
  });
});

describe('paging a big run', () => {
  it('pages a finished run by id and returns exactly the OFFSET pages, also with another run before it', () => {
    const store = openStateStoreAt(path.join(makeTempDir(), 'state.db'));
    const other = store.startRun(start());
    store.appendItems(other, [{ category: 'logs', target: 'logs/x', bytes: 1, action: 'delete', reason: 'r' }]);
    store.finishRun(other, done({ itemsTotal: 1 }));
    const id = store.startRun(start());
    for (let b = 0; b < 5; b++) {
      store.appendItems(id, Array.from({ length: 1000 }, (_, k) => ({ category: 'temp' as const, target: `tmp/${b * 1000 + k}`, bytes: 1, action: 'delete' as const, reason: 'old' })));
    }
    const running = store.listItems(id, 3, 4998);
    expect(running).toEqual({ total: 5000, items: [expect.objectContaining({ target: 'tmp/4998' }), expect.objectContaining({ target: 'tmp/4999' })] });
    store.finishRun(id, done({ itemsTotal: 5000 }));
    for (const offset of [0, 1, 2500, 4999, 5000, 6000]) {
      const page = store.listItems(id, 10, offset);
      expect(page.total).toBe(5000);
      expect(page.items.map((i) => i.target)).toEqual(Array.from({ length: Math.max(0, Math.min(10, 5000 - offset)) }, (_, k) => `tmp/${offset + k}`));
    }
    expect(store.listItems(other, 10, 0).items.map((i) => i.target)).toEqual(['logs/x']);
    store.close();
  });
});

describe('item blocks', () => {
  const item = (n: number, k = n % 3) => ({
    category: (['logs', 'temp', 'tasks'] as const)[k] as 'logs' | 'temp' | 'tasks',
    target: k === 2 ? `architect.db:task_queue#${n}` : `logs/odd "name"\n${n} é.log`,
    bytes: k === 2 ? 0 : n * 10,
    action: (k === 1 && n % 2 ? 'rmdir' : 'delete') as 'delete' | 'rmdir',
    reason: `reason ${n % 4}`,
  });

  it('returns every item, in order and unchanged, for pages across blocks of uneven sizes', () => {
    const store = openStateStoreAt(path.join(makeTempDir(), 'state.db'));
    const id = store.startRun(start());
    const all = Array.from({ length: 1011 }, (_, n) => item(n));
    let at = 0;
    for (const size of [3, 1, 1000, 7]) {
      store.appendItems(id, all.slice(at, at + size));
      at += size;
    }
    store.finishRun(id, done({ itemsTotal: all.length }));
    expect(store.listItems(id, 5000, 0)).toEqual({ items: all, total: 1011 });
    for (const [limit, offset] of [[1, 0], [2, 2], [3, 3], [5, 3], [10, 1000], [20, 1002], [1, 1010], [5, 1011], [500, 600]] as const) {
      expect(store.listItems(id, limit, offset).items, `limit ${limit} offset ${offset}`).toEqual(all.slice(offset, offset + limit));
    }
    store.close();
  });

  it('moves the items of a version-2 state database into blocks, in order, and appends after them', () => {
    const file = path.join(makeTempDir(), 'state.db');
    const store = openStateStoreAt(file);
    const other = store.startRun(start());
    store.finishRun(other, done());
    const id = store.startRun(start());
    store.close();
    // Rebuild the version-2 layout (a row per item), as the previous release left it.
    const db = new Database(file);
    db.exec(`DROP TABLE run_item_blocks;
      DROP TABLE outbox_events; DROP TABLE outbox_deliveries; DROP TABLE outbox_attempts; DROP TABLE disabled_hooks;
      CREATE TABLE run_items (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, category TEXT NOT NULL,
        target TEXT NOT NULL, bytes INTEGER NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL);
      CREATE INDEX run_items_run ON run_items (run_id, id);
      ALTER TABLE runs ADD COLUMN items_first_id INTEGER;
      ALTER TABLE runs ADD COLUMN items_last_id INTEGER;
      ALTER TABLE runs DROP COLUMN kept;
      ALTER TABLE runs DROP COLUMN kept_total;
      ALTER TABLE runs DROP COLUMN space_trashed_mb;
      PRAGMA user_version = 2;`);
    const insert = db.prepare('INSERT INTO run_items (run_id, category, target, bytes, action, reason) VALUES (?, ?, ?, ?, ?, ?)');
    const old = Array.from({ length: 30 }, (_, n) => item(n));
    old.forEach((i, n) => {
      insert.run(n % 2 ? id : other, i.category, i.target, i.bytes, i.action, i.reason);
    });
    db.close();

    const reopened = openStateStoreAt(file);
    expect(reopened.listItems(other, 100, 0)).toEqual({ items: old.filter((_, n) => n % 2 === 0), total: 15 });
    expect(reopened.listItems(id, 4, 13)).toEqual({ items: old.filter((_, n) => n % 2 === 1).slice(13), total: 15 });
    reopened.appendItems(id, [item(99)]);
    expect(reopened.listItems(id, 3, 14)).toEqual({ items: [old[29], item(99)], total: 16 });
    reopened.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'run_items'").get()).toEqual({ n: 0 });
    check.close();
  });
});
