/**
 * The folder a deletion happens in, checked twice (SPEC 3.6). A candidate's path was built
 * from real paths when it was planned; if a folder on the way is later moved or swapped for a
 * symbolic link, the same path may lead outside the root, and unlink/rmdir by path would follow.
 * Node has no unlinkat, so the moment cannot be closed, only narrowed:
 * - once per folder and execute batch (`folderMoved`): the folder still resolves to itself
 *   (realpath), and its identity (dev, inode) is recorded, the same before and after that check;
 * - right before each unlink or rmdir (`folderSwapped`): the folder's path still leads to that
 *   identity (lstat follows a link on the way, so any swap above it changes the answer).
 * What remains is the time between that lstat and the unlink: one system call.
 */
import type { Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { REASONS, type Reason } from '../../domain/reasons.js';
import { toFsPath } from './byte-names.js';

/** Why a file or folder is kept when its folder is no longer the one that was planned (the text). */
export const FOLDER_CHANGED = REASONS.folderChanged.text;

interface FolderIdentity {
  dev: number;
  ino: number;
}

/** Folders checked during one execute batch: path -> identity, or null when it failed the check. */
export type CheckedFolders = Map<string, Promise<FolderIdentity | null>>;

/**
 * Checks the folder of `file` (an absolute engine path, see byte-names.js) once per batch:
 * it must still resolve to itself. Returns the reason to keep the file, or undefined. The
 * identity it records is what `folderSwapped` compares with later.
 */
export async function folderMoved(file: string, checked: CheckedFolders): Promise<Reason | undefined> {
  const dir = path.dirname(file);
  let check = checked.get(dir);
  if (!check) checked.set(dir, (check = verifyFolder(dir)));
  return (await check) ? undefined : REASONS.folderChanged;
}

/**
 * Right before an unlink or rmdir under the folder of `file`: the folder's path must lead to
 * the very folder `folderMoved` verified (same dev and inode, still a folder, not a link).
 * Returns the reason to keep the file, or undefined. Call folderMoved for it first.
 */
export async function folderSwapped(file: string, checked: CheckedFolders): Promise<Reason | undefined> {
  const dir = path.dirname(file);
  const known = await checked.get(dir);
  if (!known) return REASONS.folderChanged;
  const now = await lstat(toFsPath(dir)).catch(() => null);
  return now?.isDirectory() && now.dev === known.dev && now.ino === known.ino ? undefined : REASONS.folderChanged;
}

/** The folder's identity when it is a folder that resolves to itself, the same before and after. */
async function verifyFolder(dir: string): Promise<FolderIdentity | null> {
  const p = toFsPath(dir);
  try {
    const before = await lstat(p);
    if (!before.isDirectory() || !(await resolvesToItself(dir, p))) return null;
    const after = await lstat(p);
    return after.isDirectory() && sameFile(before, after) ? { dev: after.dev, ino: after.ino } : null;
  } catch {
    return null;
  }
}

async function resolvesToItself(dir: string, p: string | Buffer): Promise<boolean> {
  if (typeof p === 'string') return (await realpath(p)) === dir;
  return (await realpath(p, { encoding: 'buffer' })).equals(p);
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
