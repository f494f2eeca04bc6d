/**
 * Putting a run's trashed files back (README, Trash and restore): each regular file of
 * `<state>/trash/<run_id>/` goes back to the same path below the root, never over anything:
 * `link(2)` to its old name (which fails if any entry is there) and only then the trash's name is
 * unlinked. Killed in between, the file has two names for one inode, and the next restore (or
 * run) sees its old name is that very file and only removes the trash's name: never lost, never
 * duplicated. The folders on the way back are made without following links, and checked again
 * right before the link. A file goes back only into a folder of a file category today.
 */
import { link, unlink } from 'node:fs/promises';
import path from 'node:path';
import { resolveUnderRoot } from '../../safety/safe-path.js';
import type { FileCategory } from '../../domain/types.js';
import type { RunContext } from '../context.js';
import { displayPath, toFsPath } from '../fs/byte-names.js';
import { errorMessage } from '../fs/file-executor.js';
import { ensureFolders, isSameFolder, lstatOrNull } from './folders.js';
import { runTrashRel } from './layout.js';
import type { RestoreSelection } from './selection.js';
import { categoryFinder, pruneEmpty, type TrashEntry, walkTrash } from './trash-tree.js';
import { rootRealOf } from './trash-run.js';

type Outcome = { kind: 'restored'; bytes: number; note?: string } | { kind: 'conflict'; message: string };

/**
 * Restores the files of run `sel.runId`'s trash that `sel` selects, reporting each as an item
 * (action `restore`) or an error naming the conflict (the file stays in the trash). `reason` is
 * the items' reason. Never throws for operational problems.
 */
export async function restoreFiles(ctx: RunContext, sel: RestoreSelection, reason: string, hold: (targets: readonly string[]) => void): Promise<void> {
  const rel = runTrashRel(ctx.settings, sel.runId);
  let dir: string;
  try {
    const resolved = resolveUnderRoot(ctx.settings.root, rel, 'trash folder');
    if (!resolved.stat) return;
    if (!resolved.stat.isDirectory()) throw new Error(`${resolved.abs} is not a folder`);
    dir = resolved.abs;
  } catch (err) {
    ctx.report.warning(`files of run ${sel.runId} not restored: ${(err as Error).message}`);
    return;
  }
  const rootReal = rootRealOf(ctx.settings.root);
  const categoryOf = categoryFinder(ctx, rootReal);
  let outside = 0;
  const selected: Array<{ e: TrashEntry; category: FileCategory; target: string }> = [];
  for await (const e of walkTrash(dir)) {
    const category = categoryOf(e.rel);
    const target = displayPath(e.rel);
    if (!category) outside++;
    else if (sel.wants(category, target)) selected.push({ e, category, target });
  }
  // Held before the first comes back, so a kill halfway leaves none of them to the next run's policy.
  if (selected.length > 0) hold(selected.map((s) => s.target));
  for (const { e, category, target } of selected) {
    const outcome = await restoreOne(ctx, rootReal, e);
    if (outcome.kind === 'restored') {
      ctx.report.item({ category, target, bytes: outcome.bytes, action: 'restore', reason: outcome.note ? `${reason}; ${outcome.note}` : reason });
    } else {
      ctx.report.error({ category, target, message: `not restored: ${outcome.message}; it stays in the trash of run ${sel.runId}` });
    }
  }
  if (outside > 0) ctx.report.warning(`trash of run ${sel.runId}: ${outside} ${outside === 1 ? 'entry is' : 'entries are'} not inside a category folder today; left in the trash`);
  await pruneEmpty(dir);
}

/** Puts one trashed file back; a conflict (something at its place, a link on the way) keeps it in the trash. */
async function restoreOne(ctx: RunContext, rootReal: string, e: TrashEntry): Promise<Outcome> {
  const dest = `${rootReal}/${e.rel}`;
  const relDir = path.posix.dirname(e.rel);
  try {
    if (!e.regular) return { kind: 'conflict', message: 'it is not a regular file' };
    const src = await lstatOrNull(e.abs);
    if (!src?.isFile()) return { kind: 'conflict', message: 'it is no longer a regular file in the trash' };
    const folder = await ensureFolders(rootReal, relDir === '.' ? '' : relDir, 0o755);
    const there = await lstatOrNull(dest);
    if (there) {
      // Its own second name, left by a restore killed between link and unlink: finish it.
      if (there.isFile() && there.dev === src.dev && there.ino === src.ino) {
        await unlink(toFsPath(e.abs));
        return { kind: 'restored', bytes: src.size, note: 'completed an interrupted restore' };
      }
      return { kind: 'conflict', message: `${displayPath(e.rel)} already exists (never overwritten)` };
    }
    if (!(await isSameFolder(path.posix.dirname(dest), folder))) return { kind: 'conflict', message: 'its folder changed while restoring' };
    await link(toFsPath(e.abs), toFsPath(dest));
    await ctx.trashHooks?.afterRestoreLink?.(displayPath(e.rel));
    await unlink(toFsPath(e.abs));
    return { kind: 'restored', bytes: src.size };
  } catch (err) {
    const x = err as NodeJS.ErrnoException;
    if (x.code === 'EEXIST') return { kind: 'conflict', message: `${displayPath(e.rel)} already exists (never overwritten)` };
    return { kind: 'conflict', message: x.code === 'ERR_CLEANUP_UNSAFE_PATH' ? x.message : errorMessage(x, dest) };
  }
}
