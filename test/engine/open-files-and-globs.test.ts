/**
 * SPEC 3.3 for backups and temp files, as logs.test.ts proves it for logs: a file some process
 * holds open is never deleted (a real holder process, found through /proc), whether it was open
 * at planning or opened between planning and deleting; and a protect glob keeps a backup that
 * retention would remove.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsHandler } from '../../src/engine/categories/backups.js';
import { tempHandler } from '../../src/engine/categories/temp.js';
import { byTarget, holdOpen, runHandler, targets, writeConfig } from '../helpers/fs-fixtures.js';
import { DAY, HOUR, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

/** Four prod backups a day apart, newest first; with retention 2 the last two are removed. */
function fourBackups(root: string): string[] {
  return [1, 2, 3, 4].map((d) => {
    const rel = `backups/prod/arch_0${d}.db`;
    writeFileAt(root, rel, NOW - d * DAY, `backup ${d}`);
    return rel;
  });
}

describe('backups: protection', () => {
  it('skips a backup beyond retention held open by a live process, naming its pid', async () => {
    const root = makeTempDir();
    const b = fourBackups(root);
    const pid = await holdOpen(path.join(root, b[3] as string));
    for (const dryRun of [true, false]) {
      const out = await runHandler(backupsHandler, settingsFor(root), { dryRun, overrides: { backup_retention: 2 } });
      expect(out.skipped).toEqual([{ category: 'backups', target: b[3], reason: `open by pid ${pid}` }]);
      expect(targets(out.items)).toEqual([b[2]]);
    }
    expect(b.map((rel) => existsSync(path.join(root, rel)))).toEqual([true, true, false, true]);
  });

  it('skips a backup opened between planning and deleting', async () => {
    const root = makeTempDir();
    const b = fourBackups(root);
    let pid = 0;
    const out = await runHandler(backupsHandler, settingsFor(root), {
      overrides: { backup_retention: 2 },
      beforeExecute: async () => {
        pid = await holdOpen(path.join(root, b[2] as string));
      },
    });
    expect(out.skipped).toEqual([{ category: 'backups', target: b[2], reason: `open by pid ${pid}` }]);
    expect(targets(out.items)).toEqual([b[3]]);
    expect(b.map((rel) => existsSync(path.join(root, rel)))).toEqual([true, true, true, false]);
  });

  it('skips backups beyond retention that a protect glob names; a protected recent one still counts as recent', async () => {
    const root = makeTempDir();
    const b = fourBackups(root);
    writeFileAt(root, 'backups/qa/arch_09.db', NOW - 9 * DAY);
    writeFileAt(root, 'backups/qa/arch_10.db', NOW - 10 * DAY);
    const glob = 'backups/prod/arch_0[134].db';
    const config = writeConfig({ protect: [glob] });
    const out = await runHandler(backupsHandler, settingsFor(root, {}, config), { overrides: { backup_retention: 1 } });
    // arch_01 is protected and the most recent: simply kept, and it is the one prod keeps, so
    // arch_02 goes. arch_03 and arch_04 are beyond retention: the glob keeps them, reported.
    expect(byTarget(out.skipped)).toEqual([b[2], b[3]].map((target) => ({ category: 'backups', target, reason: `protected by glob "${glob}"` })));
    expect(targets(out.items)).toEqual([b[1], 'backups/qa/arch_10.db']);
    expect(b.map((rel) => existsSync(path.join(root, rel)))).toEqual([true, false, true, true]);
    expect(existsSync(path.join(root, 'backups/qa/arch_10.db'))).toBe(false);
  });
});

describe('temp: protection', () => {
  it('skips a temp file held open by a live process, naming its pid, and keeps its folder', async () => {
    const root = makeTempDir();
    const held = writeFileAt(root, 'tmp/job/held.tmp', NOW - 48 * HOUR);
    writeFileAt(root, 'tmp/job/free.tmp', NOW - 48 * HOUR);
    writeFileAt(root, 'cache/free/x.bin', NOW - 48 * HOUR);
    const pid = await holdOpen(held);
    for (const dryRun of [true, false]) {
      const out = await runHandler(tempHandler, settingsFor(root), { dryRun });
      expect(out.skipped).toEqual([{ category: 'temp', target: 'tmp/job/held.tmp', reason: `open by pid ${pid}` }]);
      expect(targets(out.items)).toEqual(['cache/free', 'cache/free/x.bin', 'tmp/job/free.tmp']);
    }
    expect(existsSync(held)).toBe(true);
    expect(existsSync(path.join(root, 'tmp/job/free.tmp'))).toBe(false);
  });

  it('skips a temp file opened between planning and deleting, and keeps its folder', async () => {
    const root = makeTempDir();
    const late = writeFileAt(root, 'tmp/job/late.tmp', NOW - 48 * HOUR);
    let pid = 0;
    const out = await runHandler(tempHandler, settingsFor(root), {
      beforeExecute: async () => {
        pid = await holdOpen(late);
      },
    });
    expect(out.items).toEqual([]);
    expect(out.skipped).toEqual(expect.arrayContaining([{ category: 'temp', target: 'tmp/job/late.tmp', reason: `open by pid ${pid}` }]));
    expect(existsSync(late)).toBe(true);
  });
});
