/**
 * The trash against an attacker, or a bad day (issue 15, README, Trash and restore "What cannot happen"):
 * nothing the trash or a restore does may destroy or change data outside the policy — not
 * through a link where the trash should be, not over a file or row that took an item's place, not
 * through a run id that climbs out, not by running a table's triggers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, makeTempDir, NOW, writeFileAt } from '../../helpers/temp-root.js';
import { filesUnder, rowsOf, runWith, trashRoot, trashSettings } from '../../helpers/trash-fixtures.js';

/** A folder outside the root with a file in it, to check nothing reaches it. */
function outsideFolder(): string {
  const dir = makeTempDir('cw-outside-');
  writeFileAt(dir, 'precious.log', NOW - 400 * DAY, 'precious');
  return dir;
}

describe('trash: links and planted entries', () => {
  it('a link at .cleanup/trash fails a real run before anything is moved or deleted', async () => {
    const { root, db } = trashRoot();
    const outside = outsideFolder();
    mkdirSync(path.join(root, '.cleanup'), { recursive: true });
    symlinkSync(outside, path.join(root, '.cleanup/trash'));
    const r = await runWith(trashSettings(root));
    expect(r.status).toBe('failed');
    expect(r.warnings.join()).toMatch(/symbolic link/);
    expect(r.items).toEqual([]);
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(true);
    expect(rowsOf(db, 'task_queue').size).toBe(4);
    expect(filesUnder(outside)).toEqual(['precious.log']);
  });

  it('a link planted as a run trash folder is never followed by a restore or a purge', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root, { keepHours: 1 });
    const first = await runWith(settings);
    const outside = outsideFolder();
    mkdirSync(path.join(outside, 'logs'));
    writeFileSync(path.join(outside, 'logs/planted.log'), 'planted');
    const runDir = path.join(root, '.cleanup/trash', first.run_id);
    renameSync(runDir, `${runDir}.moved`);
    symlinkSync(outside, runDir);
    const restore = await runWith(settings, { restore: { runId: first.run_id } });
    expect(restore.items.filter((i) => !i.target.startsWith('architect.db:'))).toEqual([]);
    expect(restore.warnings.join()).toMatch(/symbolic link/);
    expect(existsSync(path.join(root, 'logs/planted.log'))).toBe(false);
    const purge = await runWith(settings, { now: NOW + 2 * 3_600_000 });
    expect(purge.warnings.join()).toMatch(/not purged: .*symbolic link/);
    expect(filesUnder(outside)).toEqual(['logs/planted.log', 'precious.log']);
  });

  it('a link inside a run trash folder is removed by a purge as a link, never followed', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root, { keepHours: 1 });
    const first = await runWith(settings);
    const outside = outsideFolder();
    symlinkSync(outside, path.join(root, '.cleanup/trash', first.run_id, 'logs/evil'));
    symlinkSync(path.join(outside, 'precious.log'), path.join(root, '.cleanup/trash', first.run_id, 'logs/evil.log'));
    const restore = await runWith(settings, { restore: { runId: first.run_id, targets: ['logs/evil.log'] } });
    expect(restore.errors.map((e) => e.message).join()).toMatch(/not a regular file/);
    expect(existsSync(path.join(root, 'logs/evil.log'))).toBe(false);
    await runWith(settings, { now: NOW + 2 * 3_600_000 });
    expect(existsSync(path.join(root, '.cleanup/trash', first.run_id))).toBe(false);
    expect(filesUnder(outside)).toEqual(['precious.log']);
    expect(readFileSync(path.join(outside, 'precious.log'), 'utf8')).toBe('precious');
  });

  it('a restore never writes through a folder on the way back that became a link', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root);
    const first = await runWith(settings);
    const outside = outsideFolder();
    renameSync(path.join(root, 'logs/app'), path.join(root, 'logs/app.old'));
    symlinkSync(outside, path.join(root, 'logs/app'));
    const r = await runWith(settings, { restore: { runId: first.run_id, category: 'logs' } });
    expect(r.errors.map((e) => [e.target, e.message])).toEqual([['logs/app/old-b.log', expect.stringMatching(/symbolic link/)]]);
    expect(filesUnder(outside)).toEqual(['precious.log']);
    expect(filesUnder(path.join(root, '.cleanup/trash', first.run_id))).toEqual(['logs/app/old-b.log', 'tmp/job/old.tmp']);
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(true);
  });

  it('files planted in the trash outside every category folder are never restored (sessions stays untouched)', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root);
    const first = await runWith(settings);
    writeFileAt(path.join(root, '.cleanup/trash', first.run_id), 'sessions/planted', NOW, 'x');
    writeFileAt(path.join(root, '.cleanup/trash', first.run_id), 'architect.db', NOW, 'not a database');
    const r = await runWith(settings, { restore: { runId: first.run_id } });
    expect(r.warnings.join()).toMatch(/2 entries are not inside a category folder today; left in the trash/);
    expect(existsSync(path.join(root, 'sessions/planted'))).toBe(false);
    expect(new Database(path.join(root, 'architect.db'), { readonly: true }).prepare('SELECT count(*) AS n FROM task_queue').get()).toEqual({ n: 4 });
  });

  it('the logs category never takes the .log files in the trash, however old', async () => {
    const { root } = trashRoot();
    const settings = trashSettings(root, { keepHours: 10_000 });
    const first = await runWith(settings);
    const later = await runWith(settings, { now: NOW + 300 * DAY });
    // Only the log that has aged since (recent.log) goes; nothing of the trash is a candidate.
    expect(later.items.filter((i) => i.category === 'logs').map((i) => i.target)).toEqual(['logs/recent.log']);
    expect(filesUnder(path.join(root, '.cleanup/trash', first.run_id))).toContain('logs/old-a.log');
  });
});

describe('trash: rows', () => {
  it('refuses to restore rows into a table with a trigger (it could change other rows), and keeps them in the trash', async () => {
    const { root, db } = trashRoot();
    const settings = trashSettings(root);
    const first = await runWith(settings);
    const c = new Database(db);
    c.exec(`CREATE TABLE audit (n INTEGER); INSERT INTO audit VALUES (1);
            CREATE TRIGGER wipe AFTER INSERT ON task_queue BEGIN DELETE FROM errors; DELETE FROM audit; END;`);
    c.close();
    const r = await runWith(settings, { restore: { runId: first.run_id, category: 'tasks' } });
    expect(r.errors).toEqual([
      { category: 'tasks', target: 'architect.db:task_queue', message: expect.stringMatching(/has triggers \(wipe\).*rows stay in the trash/) },
    ]);
    expect(rowsOf(db, 'errors').size).toBe(1);
    expect(rowsOf(db, 'audit').size).toBe(1);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(2);
  });

  it('keeps a row in the trash when the table would now store a different value', async () => {
    const { root, db } = trashRoot();
    const settings = trashSettings(root);
    const first = await runWith(settings);
    // The column that held text '…Z' timestamps becomes INTEGER: the text '10' would turn into 10.
    const c = new Database(db);
    c.exec(`UPDATE task_queue SET title = title;`);
    c.close();
    const t = new Database(path.join(root, '.cleanup/trash/trash.db'));
    t.prepare(`UPDATE task_queue SET title = '10' WHERE _cleanup_source_rowid = 1`).run();
    t.close();
    const c2 = new Database(db);
    c2.exec(`ALTER TABLE task_queue RENAME TO tq_old; CREATE TABLE task_queue (id INTEGER PRIMARY KEY, title INTEGER, status TEXT, completed_at, created_at TEXT);
             INSERT INTO task_queue SELECT * FROM tq_old; DROP TABLE tq_old;`);
    c2.close();
    const r = await runWith(settings, { restore: { runId: first.run_id, category: 'tasks' } });
    expect(r.errors.map((e) => [e.target, e.message])).toEqual([['architect.db:task_queue#1', expect.stringMatching(/would store different values/)]]);
    expect(r.items.map((i) => i.target)).toEqual(['architect.db:task_queue#2']);
    expect(rowsOf(db, 'task_queue').has(1)).toBe(false);
  });
});

describe('trash: another file system', () => {
  const mounted: string[] = [];
  afterEach(() => {
    for (const m of mounted.splice(0)) spawnSync('umount', [m]);
  });

  /** Mounts a tmpfs at `dir` (root only); false when this machine does not allow it. */
  function mountTmpfs(dir: string): boolean {
    mkdirSync(dir, { recursive: true });
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'none', dir]);
    if (r.status === 0) mounted.push(dir);
    return r.status === 0;
  }

  it('a file on another file system than the trash is deleted as without a trash, and its item says so', async (t) => {
    const { root } = trashRoot();
    if (!mountTmpfs(path.join(root, 'cache'))) t.skip();
    writeFileAt(root, 'cache/old.bin', NOW - 3 * DAY, 'cached');
    const r = await runWith(trashSettings(root));
    const item = r.items.find((i) => i.target === 'cache/old.bin');
    expect(item).toMatchObject({ action: 'delete', reason: expect.stringMatching(/on another file system than the trash \(not restorable\)/) });
    expect(existsSync(path.join(root, 'cache/old.bin'))).toBe(false);
    expect(filesUnder(path.join(root, '.cleanup/trash', r.run_id))).toEqual(['logs/app/old-b.log', 'logs/old-a.log', 'tmp/job/old.tmp']);
  });
});
