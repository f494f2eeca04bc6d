/**
 * The daemon's PID file (`<root>/.cleanup/cleanup_worker.pid`, one decimal pid and a newline)
 * and the checks around it: is that pid alive, is it really our server, where does it listen.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../config/settings.js';

/** Where the daemon's PID file lives for these settings. */
export function pidFilePath(settings: Settings): string {
  return path.join(settings.root, settings.paths.state, 'cleanup_worker.pid');
}

/** The pid in the file, or null when there is no file or it holds no pid. */
export function readPidFile(file: string): number | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Writes the PID file only if none exists; returns false when another one appeared first. */
export function writePidFile(file: string, pid: number): boolean {
  try {
    writeFileSync(file, `${pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Removes the PID file if it still names `pid` (a newer daemon's file is left alone). */
export function removePidFile(file: string, pid: number): void {
  if (readPidFile(file) === pid) rmSync(file, { force: true });
}

/** True when the process exists and is not a zombie waiting to be reaped. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
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
