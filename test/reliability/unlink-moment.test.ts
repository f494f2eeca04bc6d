/**
 * The moment of deletion (issue 10 item 11): after every re-check, a folder on the way swapped
 * for a symbolic link to an outside folder holding a same-named file would redirect an unlink
 * (or an rmdir) by path. The executor re-verifies the folder's identity (dev, inode) right
 * before each unlink and rmdir; these tests make the swap at that last moment, through the
 * executor's test hooks, and check that the outside file is still there.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeName, isPlainName, toFsPath } from '../../src/engine/fs/byte-names.js';
import { createFileExecutor, stillOldEnough } from '../../src/engine/fs/file-executor.js';
import { FOLDER_CHANGED } from '../../src/engine/fs/folder-identity.js';
import { pruneFolders } from '../../src/engine/fs/prune-folders.js';
import { type CategoryFolder, type FileScope, openCategoryFolder, openFileScope, toCandidate } from '../../src/engine/fs/scope.js';
import type { FileCategory } from '../../src/engine/types.js';
import { makeContext } from '../helpers/run-context.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';
import { fingerprint } from './helpers.js';

const OLD = NOW - 90 * DAY;

async function frame(root: string, category: FileCategory, rel: string) {
  const { ctx, out } = makeContext(settingsFor(root));
  const scope = (await openFileScope(ctx)) as FileScope;
  const folder = (await openCategoryFolder(ctx, scope, category, rel)) as CategoryFolder;
  return { ctx, out, scope, folder };
}

/** The candidate for `rel` under the category folder, as the walker would report it. */
function candidateFor(scope: FileScope, folder: CategoryFolder, category: FileCategory, rel: string) {
  const st = lstatSync(toFsPath(`${folder.real}/${rel}`));
  const raw = isPlainName(rel) ? {} : { raw: true as const };
  return toCandidate(scope, folder, category, { kind: 'file', rel, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ...raw });
}

/** Moves `inside` away (kept in the root) and puts a link to `outside` in its place. */
function swapForLink(inside: string | Buffer, outside: string, keepAt: string) {
  renameSync(inside, keepAt);
  symlinkSync(outside, inside);
}

describe('a folder swapped for a link right before the unlink', () => {
  it.each([
    ['an ordinary folder', 'sub'],
    ['a folder whose name is not UTF-8', decodeName(Buffer.from([0x73, 0xff]))],
  ])('keeps the file and the outside file of the same name (%s)', async (_what, sub) => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileAt(outside, 'sub/app.log', OLD, 'precious outside');
    const before = fingerprint(outside);
    mkdirSync(toFsPath(`${root}/logs/${sub}`), { recursive: true });
    writeFileAt(root, 'logs/plain.log', OLD, 'inside');
    const { ctx, out, scope, folder } = await frame(root, 'logs', 'logs');
    const file = toFsPath(`${folder.real}/${sub}/app.log`);
    writeFileSync(file, 'inside');
    utimesSync(file, OLD / 1000, OLD / 1000);
    const c = candidateFor(scope, folder, 'logs', `${sub}/app.log`);
    const other = candidateFor(scope, folder, 'logs', 'plain.log');
    const hooked: string[] = [];
    const executor = createFileExecutor(ctx, scope, 'logs', () => stillOldEnough(ctx), {
      beforeUnlink: (p) => {
        hooked.push(p);
        if (p === c.path) swapForLink(toFsPath(path.dirname(p)), path.join(outside, 'sub'), path.join(root, 'moved-away'));
      },
    });
    await executor.run([
      { candidate: c, action: 'delete', reason: 'old' },
      { candidate: other, action: 'delete', reason: 'old' },
    ]);
    expect(hooked).toContain(c.path);
    expect(fingerprint(outside)).toEqual(before);
    expect(readFileSync(path.join(root, 'moved-away/app.log'), 'utf8')).toBe('inside');
    expect(out.skipped).toEqual([{ category: 'logs', target: c.target, reason: FOLDER_CHANGED }]);
    // The run goes on: the file in the folder that did not move is deleted.
    expect(out.items.map((i) => i.target)).toEqual(['logs/plain.log']);
    expect(out.errors).toEqual([]);
  });

  it('keeps the file when a folder higher up is swapped (the path still ends in a real folder)', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileAt(outside, 'a/b/app.log', OLD, 'precious outside');
    const before = fingerprint(outside);
    writeFileAt(root, 'tmp/a/b/app.log', OLD, 'inside');
    const { ctx, out, scope, folder } = await frame(root, 'temp', 'tmp');
    const c = candidateFor(scope, folder, 'temp', 'a/b/app.log');
    const executor = createFileExecutor(ctx, scope, 'temp', () => stillOldEnough(ctx), {
      beforeUnlink: () => swapForLink(path.join(folder.real, 'a'), path.join(outside, 'a'), path.join(root, 'moved-away')),
    });
    await executor.run([{ candidate: c, action: 'delete', reason: 'old' }]);
    expect(fingerprint(outside)).toEqual(before);
    expect(existsSync(path.join(root, 'moved-away/b/app.log'))).toBe(true);
    expect(out.skipped.map((s) => s.reason)).toEqual([FOLDER_CHANGED]);
    expect(out.items).toEqual([]);
  });
});

describe('a folder swapped for a link right before an emptied folder is removed', () => {
  it('keeps the outside empty folder of the same name', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    mkdirSync(path.join(outside, 'a/b'), { recursive: true });
    const before = fingerprint(outside);
    mkdirSync(path.join(root, 'tmp/a/b'), { recursive: true });
    const { ctx, out, folder } = await frame(root, 'temp', 'tmp');
    const st = lstatSync(path.join(folder.real, 'a/b'));
    const record = { target: 'tmp/a/b', path: path.join(folder.real, 'a/b'), dev: st.dev, ino: st.ino, entries: 1 };
    const hooked: string[] = [];
    await pruneFolders(ctx, { remove: [record], kept: [] }, {
      beforeRemove: (p) => {
        hooked.push(p);
        swapForLink(path.join(folder.real, 'a'), path.join(outside, 'a'), path.join(root, 'moved-away'));
      },
    });
    expect(hooked).toEqual([record.path]);
    expect(fingerprint(outside)).toEqual(before);
    expect(existsSync(path.join(root, 'moved-away/b'))).toBe(true);
    expect(out.skipped).toEqual([{ category: 'temp', target: 'tmp/a/b', reason: FOLDER_CHANGED }]);
    expect(out.items).toEqual([]);
  });
});
