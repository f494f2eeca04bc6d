/**
 * The daemon's PID file (`<root>/.cleanup/cleanup_worker.pid`, one decimal pid and a newline)
 * and the checks around it: is that pid alive, is it really our server, where does it listen.
 * The file is reached from the root component by component and opened with O_NOFOLLOW (SPEC
 * 3.5): a linked PID file is refused (UnsafePathError), never read, written or removed, so no
 * pid read through a link is ever signalled.
 */
import { closeSync, constants, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { pidFileRel } from '../config/state-files.js';
import { ensureDirUnderRoot, openNoFollow, resolveUnderRoot, UnsafePathError } from '../safety/safe-path.js';
import { isProcessAlive } from '../store/process-identity.js';

/** Where the daemon's PID file lives for these settings (absolute, for messages). */
export function pidFilePath(settings: Settings): string {
  return path.join(settings.root, pidFileRel(settings));
}

/**
 * The pid in the file, or null when there is no file or it holds no pid. Throws UnsafePathError
 * when a link (or anything but a regular file) is on the way.
 */
export function readPidFile(settings: Settings): number | null {
  const { abs, stat } = resolveUnderRoot(settings.root, pidFileRel(settings), 'PID file');
  if (!stat) return null;
  if (!stat.isFile()) throw new UnsafePathError(`PID file: ${abs} is not a regular file (remove it)`);
  let fd: number;
  try {
    fd = openNoFollow(abs, constants.O_RDONLY, 'PID file');
  } catch (err) {
    if (err instanceof UnsafePathError) throw err;
    return null;
  }
  try {
    const buf = Buffer.alloc(32);
    const text = buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
    const pid = Number.parseInt(text.trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the PID file only if none exists (O_CREAT|O_EXCL|O_NOFOLLOW, the state folder created
 * without following links); returns false when another one appeared first.
 */
export function writePidFile(settings: Settings, pid: number): boolean {
  ensureDirUnderRoot(settings.root, settings.paths.state, 'state folder');
  const { abs } = resolveUnderRoot(settings.root, pidFileRel(settings), 'PID file');
  let fd: number;
  try {
    fd = openNoFollow(abs, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 'PID file');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${pid}\n`);
    return true;
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the PID file if it names `pid` (a newer daemon's file is left alone), or, without
 * `pid`, whatever regular PID file is there (a stale one). Throws UnsafePathError for a link.
 */
export function removePidFile(settings: Settings, pid?: number): void {
  const { abs, stat } = resolveUnderRoot(settings.root, pidFileRel(settings), 'PID file');
  if (!stat) return;
  if (pid === undefined ? stat.isFile() : readPidFile(settings) === pid) rmSync(abs, { force: true });
}

/** True when the process exists and is not a zombie waiting to be reaped (store/process-identity.ts). */
export function isAlive(pid: number): boolean {
  return isProcessAlive(pid);
}

/**
 * True when a live pid looks like our server (its command line runs `server.js` or
 * `cleanup-worker`), so a pid recycled by an unrelated process is never signalled.
 * Where /proc is not available the PID file is trusted.
 */
export function isDaemonProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true;
  }
  return cmdline.split('\0').some((arg) => arg.endsWith('server.js') || arg.includes('cleanup-worker'));
}

/** The base URL a client on this machine uses to reach the server (wildcard hosts -> loopback). */
export function daemonUrl(settings: Settings): string {
  const host = settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host === '::' ? '::1' : settings.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${settings.port}`;
}

/** Resolves after `ms` (polling helper). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
