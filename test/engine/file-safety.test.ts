import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsHandler } from '../../src/engine/categories/backups.js';
import { logsHandler } from '../../src/engine/categories/logs.js';
import { tempHandler } from '../../src/engine/categories/temp.js';
import { makeContext } from '../helpers/run-context.js';
import { runHandler, snapshotTree, targets, writeConfig } from '../helpers/fs-fixtures.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';
import { settingsPastLoader } from '../helpers/unchecked-paths.js';

const OLD = NOW - 90 * DAY;

/** A folder outside the root with one file, and its snapshot to compare afterwards. */
function outsideWith(file = 'victim.log') {
  const dir = makeTempDir('cw-outside-');
  writeFileAt(dir, file, OLD, 'precious');
  return { dir, file: path.join(dir, file), before: snapshotTree(dir) };
}

describe('symbolic links and folders outside the root', () => {
  it('never follows nor deletes a link to a file outside the root', async () => {
    const root = makeTempDir();
    const out = outsideWith();
    mkdirSync(path.join(root, 'logs'));
    symlinkSync(out.file, path.join(root, 'logs/link.log'));
    const r = await runHandler(logsHandler, settingsFor(root));
    expect(r.items).toEqual([]);
    expect(lstatSync(path.join(root, 'logs/link.log')).isSymbolicLink()).toBe(true);
    expect(snapshotTree(out.dir)).toEqual(out.before);
  });

  it.each([
    ['logs', logsHandler],
    ['tmp', tempHandler],
  ] as const)('does not follow a symbolic link to a folder inside %s/', async (folder, handler) => {
    const root = makeTempDir();
    const out = outsideWith();
    writeFileAt(root, `${folder}/own.log`, OLD);
    symlinkSync(out.dir, path.join(root, folder, 'linked'));
    const r = await runHandler(handler, settingsFor(root));
    expect(targets(r.items)).toEqual([`${folder}/own.log`]);
    expect(snapshotTree(out.dir)).toEqual(out.before);
    expect(existsSync(path.join(root, folder, 'linked'))).toBe(true);
  });

  it.each([
    ['logs', logsHandler],
    ['tmp', tempHandler],
    ['backups', backupsHandler],
  ] as const)('refuses a category folder %s/ that is itself a symbolic link', async (folder, handler) => {
    const root = makeTempDir();
    const out = outsideWith('prod/b.log');
    for (let i = 0; i < 12; i++) writeFileAt(out.dir, `prod/b${i}.db`, OLD - i * DAY);
    const before = snapshotTree(out.dir);
    symlinkSync(out.dir, path.join(root, folder));
    const r = await runHandler(handler, settingsFor(root), { overrides: { backup_retention: 1 } });
    expect(r.items).toEqual([]);
    expect(r.warnings).toEqual([`${handler.category}: folder ${folder} is a symbolic link (links are never followed); not cleaned`]);
    expect(snapshotTree(out.dir)).toEqual(before);
  });

  it('refuses a category folder that resolves outside the root through a linked parent', async () => {
    const root = makeTempDir();
    const out = outsideWith('logs/old.log');
    symlinkSync(out.dir, path.join(root, 'var'));
    const config = writeConfig({ paths: { logs: 'var/logs' } });
    const r = await runHandler(logsHandler, settingsFor(root, {}, config));
    expect(r.items).toEqual([]);
    expect(r.warnings[0]).toMatch(/^logs: folder var\/logs resolves outside the root/);
    expect(snapshotTree(out.dir)).toEqual(out.before);
  });
});

describe('folders never entered', () => {
  it('never enters chrome_profile folders', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'cache/chrome_profile/Default/Cache/data_1', OLD);
    writeFileAt(root, 'cache/chrome_profile_work/x.log', OLD);
    writeFileAt(root, 'logs/chrome_profile-2/debug.log', OLD);
    writeFileAt(root, 'cache/other/old', OLD);
    const before = snapshotTree(path.join(root, 'cache/chrome_profile'));
    const temp = await runHandler(tempHandler, settingsFor(root));
    const logs = await runHandler(logsHandler, settingsFor(root));
    expect(targets(temp.items)).toEqual(['cache/other', 'cache/other/old']);
    expect(logs.items).toEqual([]);
    expect(snapshotTree(path.join(root, 'cache/chrome_profile'))).toEqual(before);
    expect(existsSync(path.join(root, 'cache/chrome_profile_work/x.log'))).toBe(true);
    expect(existsSync(path.join(root, 'logs/chrome_profile-2/debug.log'))).toBe(true);
  });

  it('never touches sessions/, even when it lies inside a temp folder', async () => {
    const root = makeTempDir();
    // The loader refuses this overlap (SPEC 3.12); the run-time check is the second line tested here.
    const settings = settingsPastLoader(root, { sessions: 'tmp/sessions' });
    writeFileAt(root, 'tmp/sessions/s1.json', OLD);
    writeFileAt(root, 'tmp/old', OLD);
    const r = await runHandler(tempHandler, settings);
    expect(targets(r.items)).toEqual(['tmp/old']);
    expect(existsSync(path.join(root, 'tmp/sessions/s1.json'))).toBe(true);
  });

  it('refuses a temp folder configured inside sessions/', async () => {
    const root = makeTempDir();
    // The loader refuses this overlap (SPEC 3.12); the run-time check is the second line tested here.
    const settings = settingsPastLoader(root, { temp: ['sessions/tmp'] });
    writeFileAt(root, 'sessions/tmp/old', OLD);
    const r = await runHandler(tempHandler, settings);
    expect(r.items).toEqual([]);
    expect(r.warnings).toEqual(['temp: folder sessions/tmp is inside a folder the service never touches; not cleaned']);
    expect(existsSync(path.join(root, 'sessions/tmp/old'))).toBe(true);
  });

  it('a temp folder never enters another category folder nested in it', async () => {
    const root = makeTempDir();
    // The loader refuses this overlap (SPEC 3.12); the run-time check is the second line tested here.
    const settings = settingsPastLoader(root, { backups: 'tmp/backups' });
    for (let i = 0; i < 3; i++) writeFileAt(root, `tmp/backups/prod/b${i}.db`, OLD - i * DAY);
    const r = await runHandler(tempHandler, settings);
    expect(r.items).toEqual([]);
    expect(snapshotTree(path.join(root, 'tmp/backups'))).toHaveLength(4);
  });
});

describe("the service's and the dashboard's own files", () => {
  it('never deletes the database (and its side files) even inside a temp folder', async () => {
    const root = makeTempDir();
    // The loader refuses this overlap (SPEC 3.12); the run-time check is the second line tested here.
    const settings = settingsPastLoader(root, { database: 'tmp/architect.db' });
    for (const f of ['architect.db', 'architect.db-wal', 'architect.db-shm', 'other.db']) writeFileAt(root, `tmp/${f}`, OLD);
    const r = await runHandler(tempHandler, settings);
    expect(targets(r.items)).toEqual(['tmp/other.db']);
    expect(r.skipped.map((s) => s.reason)).toEqual(Array(3).fill("the dashboard's database"));
  });

  it("recognises the service's own log file under another name (a hard link)", async () => {
    const root = makeTempDir();
    const own = writeFileAt(root, 'logs/cleanup_worker.log', OLD);
    linkSync(own, path.join(root, 'logs/alias.log'));
    const r = await runHandler(logsHandler, settingsFor(root));
    expect(r.items).toEqual([]);
    expect(targets(r.skipped)).toEqual(['logs/alias.log', 'logs/cleanup_worker.log']);
    expect(existsSync(path.join(root, 'logs/alias.log'))).toBe(true);
  });
});

describe('re-checked at the moment of deletion', () => {
  async function swapBeforeDelete(mutate: (file: string) => void) {
    const root = makeTempDir();
    const file = writeFileAt(root, 'logs/app.log', OLD, 'original');
    writeFileAt(root, 'logs/other.log', OLD);
    const r = await runHandler(logsHandler, settingsFor(root), { beforeExecute: () => mutate(file) });
    expect(targets(r.items)).toEqual(['logs/other.log']); // the run goes on
    return { root, file, r };
  }

  it('keeps a file whose size changed', async () => {
    const { file, r } = await swapBeforeDelete((f) => writeFileAt(path.dirname(f), 'app.log', OLD, 'original + more'));
    expect(r.skipped).toEqual([{ category: 'logs', target: 'logs/app.log', reason: 'changed since it was planned (size)' }]);
    expect(existsSync(file)).toBe(true);
  });

  it('keeps a file whose mtime changed (it was written to)', async () => {
    const { file, r } = await swapBeforeDelete((f) => writeFileAt(path.dirname(f), 'app.log', NOW, 'ORIGINAL'));
    expect(r.skipped.map((s) => s.reason)).toEqual(['changed since it was planned (mtime)']);
    expect(existsSync(file)).toBe(true);
  });

  it('keeps a file replaced by another one (new inode, same size and mtime)', async () => {
    const { file, r } = await swapBeforeDelete((f) => {
      writeFileAt(path.dirname(f), 'new.tmp', OLD, 'original');
      renameSync(path.join(path.dirname(f), 'new.tmp'), f);
    });
    expect(r.skipped.map((s) => s.reason)).toEqual(['changed since it was planned (inode)']);
    expect(existsSync(file)).toBe(true);
  });

  it('keeps a link that replaced the file, and the link target outside the root', async () => {
    const out = outsideWith();
    const { file, r } = await swapBeforeDelete((f) => {
      rmSync(f);
      symlinkSync(out.file, f);
    });
    expect(r.skipped.map((s) => s.reason)).toEqual(['replaced by a symbolic link']);
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(snapshotTree(out.dir)).toEqual(out.before);
  });

  it('keeps a folder that replaced the file, and its content', async () => {
    const { file, r } = await swapBeforeDelete((f) => {
      rmSync(f);
      writeFileAt(f, 'inside', OLD);
    });
    expect(r.skipped.map((s) => s.reason)).toEqual(['replaced by a folder']);
    expect(existsSync(path.join(file, 'inside'))).toBe(true);
  });

  it('reports a file that vanished as already gone, not as an error', async () => {
    const { r } = await swapBeforeDelete((f) => rmSync(f));
    expect(r.skipped.map((s) => s.reason)).toEqual(['already gone']);
    expect(r.errors).toEqual([]);
  });

  it('keeps a file whose folder was swapped for a link to a copy outside the root', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileAt(root, 'logs/sub/app.log', OLD, 'same');
    const r = await runHandler(logsHandler, settingsFor(root), {
      beforeExecute: () => {
        renameSync(path.join(root, 'logs/sub'), path.join(outside, 'sub'));
        symlinkSync(path.join(outside, 'sub'), path.join(root, 'logs/sub'));
      },
    });
    expect(r.items).toEqual([]);
    expect(r.skipped.map((s) => s.reason)).toEqual(['its folder changed since it was planned']);
    expect(existsSync(path.join(outside, 'sub/app.log'))).toBe(true);
  });

  it('records a failed deletion as an error and goes on', async (t) => {
    const root = makeTempDir();
    const stuck = writeFileAt(root, 'logs/stuck.log', OLD);
    writeFileAt(root, 'logs/ok.log', OLD);
    if (spawnSync('chattr', ['+i', stuck]).status !== 0) return t.skip('needs chattr +i (root on ext4)');
    try {
      const r = await runHandler(logsHandler, settingsFor(root));
      expect(targets(r.items)).toEqual(['logs/ok.log']);
      expect(r.errors).toEqual([{ category: 'logs', target: 'logs/stuck.log', message: expect.stringMatching(/^EPERM/) }]);
    } finally {
      spawnSync('chattr', ['-i', stuck]);
    }
    expect(existsSync(stuck)).toBe(true);
  });

  it('deletes nothing once the run is aborted', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'logs/a.log', OLD);
    const ac = new AbortController();
    const r = await runHandler(logsHandler, settingsFor(root), { signal: ac.signal, beforeExecute: () => ac.abort() });
    expect(r.items).toEqual([]);
    expect(existsSync(path.join(root, 'logs/a.log'))).toBe(true);
  });
});

describe('missing root', () => {
  it('warns once for the three file categories and creates nothing', async () => {
    const parent = makeTempDir();
    const root = path.join(parent, 'nope');
    const { ctx, out } = makeContext(settingsFor(root));
    for (const h of [backupsHandler, logsHandler, tempHandler]) await h.run(ctx);
    expect(out.warnings).toEqual([`root ${root} does not exist; nothing to clean`]);
    expect(existsSync(root)).toBe(false);
  });
});
