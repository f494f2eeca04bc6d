import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHandler } from '../../src/engine/categories/temp.js';
import { byTarget, runHandler, snapshotTree, targets, writeConfig } from '../helpers/fs-fixtures.js';
import { HOUR, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

const OLD = NOW - 30 * HOUR;
const FRESH = NOW - HOUR;

describe('temp: files', () => {
  it('deletes files in tmp/ and cache/ modified more than 24 hours ago, and keeps the rest', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'tmp/old.bin', OLD, 'abc');
    writeFileAt(root, 'cache/x/y/old.json', OLD);
    writeFileAt(root, 'tmp/fresh.bin', FRESH);
    writeFileAt(root, 'tmp/edge.bin', NOW - 24 * HOUR);
    writeFileAt(root, 'other/old.bin', OLD);
    const out = await runHandler(tempHandler, settingsFor(root));
    const files = out.items.filter((i) => i.action === 'delete');
    expect(targets(files)).toEqual(['cache/x/y/old.json', 'tmp/old.bin']);
    expect(files.find((i) => i.target === 'tmp/old.bin')).toEqual({ category: 'temp', target: 'tmp/old.bin', bytes: 3, action: 'delete', reason: 'modified 30 hours ago, limit 24 hours' });
    for (const kept of ['tmp/fresh.bin', 'tmp/edge.bin', 'other/old.bin']) expect(existsSync(path.join(root, kept))).toBe(true);
  });

  it('temp_age_hours changes the limit', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'tmp/two.bin', NOW - 2 * HOUR);
    const out = await runHandler(tempHandler, settingsFor(root), { overrides: { temp_age_hours: 1 } });
    expect(out.items.map((i) => i.reason)).toEqual(['modified 2 hours ago, limit 1 hour']);
  });

  it('cleans the temp folders named in the config', async () => {
    const root = makeTempDir();
    const config = writeConfig({ paths: { temp: ['scratch'] } });
    writeFileAt(root, 'scratch/old', OLD);
    writeFileAt(root, 'tmp/old', OLD);
    const out = await runHandler(tempHandler, settingsFor(root, {}, config));
    expect(targets(out.items)).toEqual(['scratch/old']);
    expect(existsSync(path.join(root, 'tmp/old'))).toBe(true);
  });
});

describe('temp: folders it leaves empty', () => {
  function build(root: string) {
    writeFileAt(root, 'tmp/a/b/c/old1', OLD);
    writeFileAt(root, 'tmp/a/b/old2', OLD);
    writeFileAt(root, 'tmp/a/keep/fresh', FRESH); // keeps tmp/a/keep, hence tmp/a
    writeFileAt(root, 'tmp/solo/old3', OLD);
    mkdirSync(path.join(root, 'tmp/was-empty'));
    mkdirSync(path.join(root, 'tmp/has-empty/inner'), { recursive: true });
    writeFileAt(root, 'tmp/has-empty/old4', OLD);
    writeFileAt(root, 'cache/only/old5', OLD);
  }
  const REMOVED = ['cache/only', 'tmp/a/b', 'tmp/a/b/c', 'tmp/solo'];

  it('removes them bottom-up and keeps the top folders and any folder with something left', async () => {
    const root = makeTempDir();
    build(root);
    const out = await runHandler(tempHandler, settingsFor(root));
    const rmdirs = out.items.filter((i) => i.action === 'rmdir');
    expect(targets(rmdirs)).toEqual(REMOVED);
    expect(rmdirs.map((i) => i.target).indexOf('tmp/a/b/c')).toBeLessThan(rmdirs.map((i) => i.target).indexOf('tmp/a/b'));
    expect(rmdirs.every((i) => i.bytes === 0 && i.reason === 'empty folder left by temp cleanup' && i.category === 'temp')).toBe(true);
    for (const dir of REMOVED) expect(existsSync(path.join(root, dir))).toBe(false);
    for (const dir of ['tmp', 'cache', 'tmp/a', 'tmp/a/keep', 'tmp/was-empty', 'tmp/has-empty/inner']) {
      expect(existsSync(path.join(root, dir))).toBe(true);
    }
  });

  it('keeps the top folder even when it is emptied', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'tmp/only', OLD);
    const out = await runHandler(tempHandler, settingsFor(root));
    expect(targets(out.items)).toEqual(['tmp/only']);
    expect(existsSync(path.join(root, 'tmp'))).toBe(true);
  });

  it('a dry run changes nothing and lists the same files and folders the real run then removes', async () => {
    const root = makeTempDir();
    build(root);
    const before = snapshotTree(root);
    const dry = await runHandler(tempHandler, settingsFor(root), { dryRun: true });
    expect(snapshotTree(root)).toEqual(before);
    expect(targets(dry.items.filter((i) => i.action === 'rmdir'))).toEqual(REMOVED);
    const real = await runHandler(tempHandler, settingsFor(root));
    expect(byTarget(real.items)).toEqual(byTarget(dry.items));
  });

  it('keeps a folder holding a symbolic link, and the link and its target', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileAt(outside, 'target.bin', OLD);
    writeFileAt(root, 'tmp/d/old', OLD);
    symlinkSync(path.join(outside, 'target.bin'), path.join(root, 'tmp/d/link'));
    const out = await runHandler(tempHandler, settingsFor(root));
    expect(targets(out.items)).toEqual(['tmp/d/old']);
    expect(existsSync(path.join(root, 'tmp/d/link'))).toBe(true);
    expect(existsSync(path.join(outside, 'target.bin'))).toBe(true);
  });

  it('keeps a folder that a protect glob names, and everything in it, and reports it', async () => {
    const root = makeTempDir();
    const config = writeConfig({ protect: ['tmp/keepdir'] });
    writeFileAt(root, 'tmp/keepdir/old', OLD);
    const out = await runHandler(tempHandler, settingsFor(root, {}, config));
    // A glob naming a folder protects what is under it (issue 10), not only the folder itself.
    expect(targets(out.items)).toEqual([]);
    expect(out.skipped).toEqual([{ category: 'temp', target: 'tmp/keepdir/old', reason: 'protected by glob "tmp/keepdir"' }]);
    expect(existsSync(path.join(root, 'tmp/keepdir/old'))).toBe(true);
  });

  it('keeps a folder that received a new file between planning and deleting', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'tmp/busy/old', OLD);
    const out = await runHandler(tempHandler, settingsFor(root), {
      beforeExecute: () => void writeFileAt(root, 'tmp/busy/new', NOW),
    });
    expect(targets(out.items)).toEqual(['tmp/busy/old']);
    expect(out.skipped).toEqual([{ category: 'temp', target: 'tmp/busy', reason: 'no longer empty' }]);
    expect(existsSync(path.join(root, 'tmp/busy/new'))).toBe(true);
  });
});
