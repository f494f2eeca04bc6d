/**
 * Folders the trash makes below a folder it has checked (the trash of a run when moving files in,
 * a category folder's parents when restoring them): created one component at a time, never through
 * a symbolic link, with names of any bytes (engine paths, fs/byte-names.js). The identity of the
 * last folder is returned so that a caller can check, right before its rename or link, that the
 * path still leads there (as fs/folder-identity.ts does for deletions).
 */
import type { Stats } from 'node:fs';
import { lstat, mkdir } from 'node:fs/promises';
import { UnsafePathError } from '../../safety/safe-path.js';
import { displayPath, toFsPath } from '../fs/byte-names.js';

export interface FolderId {
  dev: number;
  ino: number;
}

/**
 * Makes sure `<base>/<rel>` is a folder, creating missing components (mode 0700 below the trash,
 * 0755 elsewhere: the caller says). `base` must already be a checked real folder. Throws
 * UnsafePathError when a component is a link or not a folder, the fs error when one cannot be made.
 */
export async function ensureFolders(base: string, rel: string, mode: number): Promise<FolderId> {
  let current = base;
  let st = await lstat(toFsPath(base));
  for (const part of rel.split('/').filter((p) => p !== '' && p !== '.')) {
    if (part === '..') throw new UnsafePathError(`${displayPath(rel)}: ".." is not a folder name here`);
    current = `${current}/${part}`;
    let next = await lstatOrNull(current);
    if (!next) {
      await mkdir(toFsPath(current), { mode }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      next = await lstat(toFsPath(current));
    }
    if (next.isSymbolicLink()) throw new UnsafePathError(`${displayPath(current)} is a symbolic link; links are never followed where the service writes`);
    if (!next.isDirectory()) throw new UnsafePathError(`${displayPath(current)} is not a folder`);
    st = next;
  }
  if (!st.isDirectory()) throw new UnsafePathError(`${displayPath(base)} is not a folder`);
  return { dev: st.dev, ino: st.ino };
}

/** True when `abs` (an engine path) is still the folder `id` names (a link on the way changes the answer). */
export async function isSameFolder(abs: string, id: FolderId): Promise<boolean> {
  const now = await lstatOrNull(abs);
  return Boolean(now?.isDirectory() && now.dev === id.dev && now.ino === id.ino);
}

/** lstat of an engine path, or null when it does not exist. */
export async function lstatOrNull(abs: string): Promise<Stats | null> {
  try {
    return await lstat(toFsPath(abs));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
