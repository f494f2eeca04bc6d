/**
 * The benchmark's one temp folder (under os.tmpdir()) and the child processes it started.
 * Both are cleaned up at the end, on an error, and on Ctrl-C / SIGTERM: children are killed
 * by their own pid, then the folder is removed. Nothing outside the folder is ever deleted.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const children = new Set<number>();
const folders = new Set<string>();
let handlersInstalled = false;

/** Remembers a child pid so an interrupted bench can end it. */
export function trackChild(pid: number | undefined): void {
  if (pid) children.add(pid);
}

/** Forgets a child that exited. */
export function untrackChild(pid: number | undefined): void {
  if (pid) children.delete(pid);
}

/** Makes a fresh folder `<tmp>/cw-bench-XXXX`; removed by `cleanupAll` unless `keep`. */
export function createWorkdir(keep: boolean, prefix = 'cw-bench-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  if (!keep) folders.add(dir);
  installSignalHandlers();
  return dir;
}

/** Removes a folder that this process made inside a workdir (`rm -rf`: fast on big trees). */
export function removeTree(dir: string): void {
  const inside = [...folders].some((f) => dir === f || dir.startsWith(f + path.sep)) || dir.startsWith(os.tmpdir() + path.sep);
  if (!inside) throw new Error(`refusing to remove ${dir}: not inside a bench temp folder`);
  spawnSync('rm', ['-rf', '--one-file-system', dir], { stdio: 'ignore' });
}

/** Kills tracked children and removes the temp folders. Safe to call twice. */
export function cleanupAll(): void {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
  for (const dir of folders) spawnSync('rm', ['-rf', '--one-file-system', dir], { stdio: 'ignore' });
  folders.clear();
}

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, killing children and removing temp folders…\n`);
      cleanupAll();
      process.exit(130);
    });
  }
}
