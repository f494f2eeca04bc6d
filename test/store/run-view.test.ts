/**
 * lastRealRun and runningRun are cached (store/run-view.ts) but must answer as a fresh query
 * would: every commit by another connection (another process's store, or plain SQL), and every
 * write of the store itself, shows on the next call. Each check first calls several times, so
 * a cache is filled, then changes the database once and calls once.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStateStore } from '../../src/store/state-store.js';
import type { FinishRun, StateStore } from '../../src/store/types.js';
import { makeTempDir, settingsFor } from '../helpers/temp-root.js';

const zero = { backups_deleted: 0, logs_deleted: 0, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 0 };
const done = (over: Partial<FinishRun> = {}): FinishRun => ({
  status: 'succeeded', finishedAt: new Date().toISOString(), stats: zero, itemsTotal: 0, skippedTotal: 0, errorsTotal: 0,
  warnings: [], skipped: [], errors: [], ...over,
});
const start = { trigger: 'cli' as const, dryRun: false, settings: {} };

/** Calls both reads a few times (fills any cache) and returns the last answers. */
function warm(store: StateStore) {
  for (let i = 0; i < 3; i++) {
    store.lastRealRun();
    store.runningRun();
    store.runState();
  }
  return { last: store.lastRealRun(), running: store.runningRun() };
}

function twoStores() {
  const root = makeTempDir();
  const a = openStateStore(settingsFor(root));
  const b = openStateStore(settingsFor(root));
  const raw = new Database(path.join(root, '.cleanup', 'state.db'));
  raw.pragma('busy_timeout = 5000');
  const close = () => {
    for (const c of [a, b, raw]) c.close();
  };
  return { a, b, raw, close };
}

describe('run view: fresh across connections', () => {
  it("follows another connection's run from start through progress to its end", () => {
    const { a, b, close } = twoStores();
    expect(warm(a)).toEqual({ last: null, running: null });
    const id = b.startRun(start);
    expect(a.runningRun()).toMatchObject({ run_id: id, status: 'running', progress: null });
    warm(a);
    b.updateProgress(id, { category: 'logs', phase: 'deleting', items_so_far: 7 });
    expect(a.runningRun()?.progress).toEqual({ category: 'logs', phase: 'deleting', items_so_far: 7 });
    warm(a);
    expect(a.runState()).toMatchObject({ lastReal: null, running: { run_id: id, progress: { items_so_far: 7 } } });
    warm(a);
    b.finishRun(id, done({ stats: { ...zero, logs_deleted: 3 } }));
    expect(a.runState()).toMatchObject({ running: null, lastReal: { run_id: id, stats: { logs_deleted: 3 } } });
    expect(a.runningRun()).toBeNull();
    expect(a.lastRealRun()).toMatchObject({ run_id: id, stats: { logs_deleted: 3 } });
    close();
  });

  it('sees rows changed by plain SQL on another connection, also after the WAL was checkpointed and restarted', () => {
    const { a, b, raw, close } = twoStores();
    const id = b.startRun(start);
    b.finishRun(id, done({ stats: { ...zero, logs_deleted: 1 } }));
    expect(warm(a).last?.stats.logs_deleted).toBe(1);
    raw.prepare('UPDATE runs SET stats = ? WHERE run_id = ?').run(JSON.stringify({ ...zero, logs_deleted: 2 }), id);
    expect(a.lastRealRun()?.stats.logs_deleted).toBe(2);
    for (let n = 3; n < 6; n++) {
      warm(a);
      // TRUNCATE empties the WAL: the next commit starts it over from its first frame.
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.prepare('UPDATE runs SET stats = ? WHERE run_id = ?').run(JSON.stringify({ ...zero, logs_deleted: n }), id);
      expect(a.lastRealRun()?.stats.logs_deleted).toBe(n);
    }
    warm(a);
    raw.prepare('DELETE FROM runs').run();
    expect(a.lastRealRun()).toBeNull();
    close();
  });

  it('sees its own writes at once, through the store or plain SQL on its connection, and not a write rolled back', () => {
    const { a, close } = twoStores();
    warm(a);
    const id = a.startRun(start);
    expect(a.runningRun()?.run_id).toBe(id);
    a.finishRun(id, done({ stats: { ...zero, temp_files_deleted: 4 } }));
    expect(warm(a)).toMatchObject({ running: null, last: { run_id: id, stats: { temp_files_deleted: 4 } } });
    const db = a.database();
    db.prepare('UPDATE runs SET stats = ? WHERE run_id = ?').run(JSON.stringify({ ...zero, temp_files_deleted: 5 }), id);
    expect(a.lastRealRun()?.stats.temp_files_deleted).toBe(5);
    warm(a);
    const inside = db.transaction(() => {
      db.prepare('UPDATE runs SET stats = ? WHERE run_id = ?').run(JSON.stringify({ ...zero, temp_files_deleted: 9 }), id);
      const seen = a.lastRealRun()?.stats.temp_files_deleted;
      throw Object.assign(new Error('roll back'), { seen });
    });
    expect(() => inside()).toThrow(expect.objectContaining({ seen: 9 }));
    expect(a.lastRealRun()?.stats.temp_files_deleted).toBe(5);
    close();
  });
});
