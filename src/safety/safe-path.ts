/**
 * Every path the service itself opens or creates under the root (dashboard database, archive
 * folder and database, state folder and database, PID file, its own log) goes through here
 * (SPEC 3.5): it is checked component by component from the root's real path with lstat, and a
 * symbolic link anywhere on the way is refused. A root that is itself a link is accepted (data
 * mounted elsewhere is common); everything below it must be real folders and files.
 *
 * Node has no openat(), so a check and the open that follows are two steps; files we open
 * ourselves are opened with O_NOFOLLOW so the last component cannot be swapped for a link in
 * between, and SQLite files are checked again right after opening (see verifySameFile).
 */
import { closeSync, constants, fsyncSync, lstatSync, mkdirSync, openSync, realpathSync, type Stats } from 'node:fs';
import path from 'node:path';

/** A path the service would open or create leads through a symbolic link, or is not what it should be. */
export class UnsafePathError extends Error {
  readonly code = 'ERR_CLEANUP_UNSAFE_PATH';
}

export interface ResolvedPath {
  /** Absolute path built from the root's real path (no link anywhere on the way, as checked). */
  abs: string;
  /** lstat of the last component, or null when it (or a folder on the way) does not exist. */
  stat: Stats | null;
}

/** The SQLite side files that live beside a database and are opened by SQLite itself. */
export const SQLITE_SIDE_FILES = ['-wal', '-journal', '-shm'] as const;

/**
 * Resolves `rel` (root-relative, already validated to stay inside the root) under the root.
 * Throws UnsafePathError naming `what` when a component is a symbolic link, or a folder on the
 * way is not a folder. A missing root or component is not an error: `stat` is null then.
 */
export function resolveUnderRoot(root: string, rel: string, what: string): ResolvedPath {
  let current: string;
  try {
    current = realpathSync(root);
  } catch {
    return { abs: path.join(path.resolve(root), rel), stat: null };
  }
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  let stat: Stats | null = lstatSync(current);
  for (let i = 0; i < parts.length; i++) {
    current = path.join(current, parts[i] as string);
    stat = lstatOrNull(current);
    if (!stat) return { abs: path.join(current, ...parts.slice(i + 1)), stat: null };
    if (stat.isSymbolicLink()) {
      throw new UnsafePathError(`${what}: ${current} is a symbolic link; links are never followed where the service reads or writes (replace it with a real ${i === parts.length - 1 ? 'file or folder' : 'folder'}, or change the path in the config)`);
    }
    if (i < parts.length - 1 && !stat.isDirectory()) {
      throw new UnsafePathError(`${what}: ${current} is not a folder`);
    }
  }
  return { abs: current, stat };
}

/**
 * Makes sure the folder `rel` exists under the root, creating missing components one at a time
 * (never through a link). Throws UnsafePathError for a link or a non-folder on the way, and the
 * fs error (e.g. EROFS, EACCES) when a folder cannot be created. Returns its absolute path.
 */
export function ensureDirUnderRoot(root: string, rel: string, what: string): string {
  const rootReal = realpathSync(root);
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  let current = rootReal;
  for (const part of parts) {
    current = path.join(current, part);
    let st = lstatOrNull(current);
    if (!st) {
      try {
        mkdirSync(current);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      st = lstatSync(current);
    }
    if (st.isSymbolicLink()) throw new UnsafePathError(`${what}: ${current} is a symbolic link; links are never followed where the service writes (replace it with a real folder)`);
    if (!st.isDirectory()) throw new UnsafePathError(`${what}: ${current} is not a folder`);
  }
  return current;
}

/**
 * Opens a file with O_NOFOLLOW: a last component that is a symbolic link fails (ELOOP) instead
 * of being followed. Check the folders on the way with resolveUnderRoot first.
 */
export function openNoFollow(abs: string, flags: number, what: string, mode = 0o644): number {
  try {
    return openSync(abs, flags | constants.O_NOFOLLOW, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new UnsafePathError(`${what}: ${abs} is a symbolic link; links are never followed where the service writes`);
    }
    throw err;
  }
}

/**
 * Checks a SQLite database path under the root before SQLite opens it: no link on the way, the
 * file (when it exists) a regular file, and none of its side files (-wal, -journal, -shm) a link
 * (SQLite would write through it). Returns what resolveUnderRoot returns.
 */
export function checkSqlitePath(root: string, rel: string, what: string): ResolvedPath {
  const resolved = resolveUnderRoot(root, rel, what);
  if (resolved.stat && !resolved.stat.isFile()) throw new UnsafePathError(`${what}: ${resolved.abs} is not a regular file`);
  for (const suffix of SQLITE_SIDE_FILES) {
    const side = lstatOrNull(`${resolved.abs}${suffix}`);
    if (side && !side.isFile()) {
      throw new UnsafePathError(`${what}: ${resolved.abs}${suffix} is ${side.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}; SQLite would write through it (remove it)`);
    }
  }
  return resolved;
}

/**
 * After opening a file by path: the path still names the very file that was checked (same
 * device and inode, not a link). Closes the window between check and open as far as Node allows.
 */
export function verifySameFile(abs: string, before: Stats, what: string): void {
  const after = lstatOrNull(abs);
  if (!after || after.isSymbolicLink() || after.dev !== before.dev || after.ino !== before.ino) {
    throw new UnsafePathError(`${what}: ${abs} changed while it was being opened; not used`);
  }
}

/** lstat, or null when the path does not exist; any other failure is thrown. */
export function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Makes the names just linked or removed in `folder` durable (fsync of the folder): a crash right after must not lose them. */
export function syncFolder(folder: string): void {
  const fd = openSync(folder, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
