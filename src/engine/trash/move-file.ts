/**
 * The trash sink's last step for a file (fs/remove-file.ts): after every re-check of a deletion
 * passed (identity, still due, not open, its folder the planned one, checked again right before),
 * `rename` moves it to `<state>/trash/<run_id>/<root-relative path>`: one system call, no copy,
 * the file is either where it was or in the trash. The folders on the way are made without
 * following links, and the destination folder's identity is checked right before the rename.
 * A file on another file system than the trash (EXDEV) is deleted, as without a trash, and its
 * item says so.
 */
import { rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { FileCandidate } from '../../domain/types.js';
import { toFsPath } from '../fs/byte-names.js';
import type { RemoveFile } from '../fs/remove-file.js';
import { type FolderId, ensureFolders, isSameFolder, lstatOrNull } from './folders.js';
import type { TrashHooks } from './hooks.js';
import type { TrashRun } from './trash-run.js';

/** The note an item deleted instead of trashed carries in its reason. */
export const EXDEV_NOTE = 'deleted, not moved to the trash: it is on another file system than the trash (not restorable)';

/**
 * The trash mover of one run: `rootReal` is the root's real path (every candidate's path starts
 * with it). Folders made in the trash are remembered for the run.
 */
export function createTrashMover(trash: TrashRun, rootReal: string, hooks: TrashHooks = {}): RemoveFile {
  const folders = new Map<string, Promise<FolderId>>();
  const folderOf = (runDir: string, relDir: string) => {
    let made = folders.get(relDir);
    if (!made) {
      made = ensureFolders(runDir, relDir, 0o700);
      // A failure is not remembered: the next file tries again (and reports its own error).
      made.catch(() => folders.delete(relDir));
      folders.set(relDir, made);
    }
    return made;
  };
  return async (c, recheckFolder) => {
    const rel = relativeToRoot(c, rootReal);
    const runDir = trash.runDir();
    const relDir = path.posix.dirname(rel);
    const id = await folderOf(runDir, relDir === '.' ? '' : relDir);
    const dest = `${runDir}/${rel}`;
    // The trash is the service's own; still, never replace anything there, and never write through a swapped folder.
    if (await lstatOrNull(dest)) return { kind: 'skipped', reason: `the trash already holds ${rel}` };
    if (!(await isSameFolder(path.posix.dirname(dest), id))) throw Object.assign(new Error(`trash folder of ${rel} changed while moving; not moved`), { code: 'ETRASHCHANGED' });
    try {
      await rename(toFsPath(c.path), toFsPath(dest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      const why = await recheckFolder();
      if (why) return { kind: 'skipped', reason: why };
      await unlink(toFsPath(c.path));
      return { kind: 'removed', action: 'delete', note: EXDEV_NOTE };
    }
    await hooks.afterMove?.(c.target);
    return { kind: 'removed', action: 'trash' };
  };
}

/** The candidate's path below the root's real path (its place in the trash and where a restore puts it back). */
function relativeToRoot(c: FileCandidate, rootReal: string): string {
  const prefix = `${rootReal}/`;
  if (!c.path.startsWith(prefix)) throw new Error(`${c.target} is not below the root ${rootReal}`);
  return c.path.slice(prefix.length);
}
