/**
 * The trash (issue 15 section 3): with `trash` on, a real run moves files into
 * `.cleanup/trash/<run_id>/<path>` and rows into `.cleanup/trash/trash.db` instead of deleting
 * them, says so (action `trash`, `space_trashed_mb`), and a dry run reports exactly that.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { insertRows, SCHEMAS } from '../../helpers/db-fixtures.js';
import { DAY, NOW, settingsFor, writeFileAt } from '../../helpers/temp-root.js';
import { filesUnder, rowsOf, runWith, trashRoot, trashSettings } from '../../helpers/trash-fixtures.js';

describe('trash: a real run moves what it removes aside', () => {
  it('moves old logs and temp files into .cleanup/trash/<run_id>/ with their root-relative paths, bytes intact', async () => {
    const { root } = trashRoot();
    const r = await runWith(trashSettings(root));
    expect(r.status).toBe('succeeded');
    const trashDir = path.join(root, '.cleanup/trash', r.run_id);
    expect(filesUnder(trashDir)).toEqual(['logs/app/old-b.log', 'logs/old-a.log', 'tmp/job/old.tmp']);
    expect(readFileSync(path.join(trashDir, 'logs/app/old-b.log'), 'utf8')).toBe('bbbbbbbb');
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(false);
    expect(existsSync(path.join(root, 'logs/recent.log'))).toBe(true);
    const logs = r.items.filter((i) => i.category === 'logs');
    expect(logs.map((i) => i.action)).toEqual(['trash', 'trash']);
    expect(r.stats.logs_deleted).toBe(2);
  });

  it('counts trashed bytes in space_trashed_mb, not space_freed_mb', async () => {
    const { root } = trashRoot();
    const big = Buffer.alloc(3 * 1_048_576, 1);
    writeFileAt(root, 'logs/big.log', NOW - 40 * DAY, big);
    const r = await runWith(trashSettings(root));
    expect(r.space_trashed_mb).toBe(3);
    expect(r.stats.space_freed_mb).toBe(0);
  });

  it('copies old task and error rows into trash.db with exact values, then deletes them from the dashboard', async () => {
    const { root, db } = trashRoot();
    const before = rowsOf(db, 'task_queue');
    const r = await runWith(trashSettings(root));
    expect([...rowsOf(db, 'task_queue').keys()].sort()).toEqual([3, 4]);
    expect([...rowsOf(db, 'errors').keys()]).toEqual([2]);
    const trashDb = path.join(root, '.cleanup/trash/trash.db');
    const copies = rowsOf(trashDb, 'task_queue');
    expect(copies.size).toBe(2);
    // The copy holds the source values exactly, then its bookkeeping (source rowid, run id, digest).
    const values = [...copies.values()].map((v) => JSON.stringify((JSON.parse(v) as unknown[]).slice(0, 5)));
    expect(values.sort()).toEqual([before.get(1), before.get(2)].sort());
    const tasks = r.items.filter((i) => i.category === 'tasks');
    expect(tasks.map((i) => [i.target, i.action])).toEqual([
      ['architect.db:task_queue#1', 'trash'],
      ['architect.db:task_queue#2', 'trash'],
    ]);
    expect(r.stats.tasks_deleted).toBe(2);
  });

  it('a dry run lists the same items with action trash, and moves nothing', async () => {
    const { root, db } = trashRoot();
    const dry = await runWith(trashSettings(root), { dryRun: true });
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(true);
    expect(rowsOf(db, 'task_queue').size).toBe(4);
    expect(existsSync(path.join(root, '.cleanup/trash'))).toBe(false);
    const real = await runWith(trashSettings(root));
    const key = (i: { target: string; action: string; category: string }) => `${i.category} ${i.target} ${i.action}`;
    expect(dry.items.map(key).sort()).toEqual(real.items.map(key).sort());
    expect(dry.space_trashed_mb).toBe(real.space_trashed_mb);
  });

  it('without a trash setting, a real run deletes as before (no trash folder)', async () => {
    const { root } = trashRoot();
    const r = await runWith(settingsFor(root));
    expect(r.items.every((i) => i.action !== 'trash')).toBe(true);
    expect(existsSync(path.join(root, '.cleanup/trash'))).toBe(false);
    expect(r.space_trashed_mb).toBe(0);
  });

  it('prompts are still archived, not trashed', async () => {
    const { root } = trashRoot();
    const c = new Database(path.join(root, 'architect.db'));
    c.exec(SCHEMAS.assignerPrompts);
    c.close();
    insertRows(path.join(root, 'architect.db'), 'assigner_prompts', [{ id: 1, prompt: 'p', score: 1.5, payload: null, created_at: new Date(NOW - 20 * DAY).toISOString() }]);
    const r = await runWith(trashSettings(root));
    expect(r.items.filter((i) => i.category === 'prompts').map((i) => i.action)).toEqual(['archive']);
    expect(rowsOf(path.join(root, 'archive/prompts.db'), 'assigner_prompts').size).toBe(1);
  });
});
