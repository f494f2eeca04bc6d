/**
 * The reference side for the file goals: GNU find, timed from spawn to exit, with its peak
 * RSS from /usr/bin/time when available.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { trackChild, untrackChild } from './workdir.js';

const TIME_BIN = '/usr/bin/time';

export interface CommandResult {
  wallMs: number;
  /** Peak RSS in MB (null when /usr/bin/time is not installed). */
  maxRssMb: number | null;
  /** Lines written to stdout (find: one per path). */
  lines: number;
  /** The stdout lines themselves, when asked for. */
  output?: string[];
  code: number | null;
}

/** Runs a command, counting (or collecting) its stdout lines; wall time includes spawn and exit. */
export function timeCommand(cmd: string, args: readonly string[], opts: { cwd?: string; collect?: boolean; rssFile?: string } = {}): Promise<CommandResult> {
  const useTime = existsSync(TIME_BIN) && opts.rssFile !== undefined;
  const argv = useTime ? ['-f', '%M', '-o', opts.rssFile as string, cmd, ...args] : [...args];
  const bin = useTime ? TIME_BIN : cmd;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(bin, argv, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    trackChild(p.pid);
    let lines = 0;
    let tail = '';
    const output: string[] = [];
    p.stdout.on('data', (buf: Buffer) => {
      if (opts.collect) {
        const parts = (tail + buf.toString('utf8')).split('\n');
        tail = parts.pop() ?? '';
        output.push(...parts);
        lines += parts.length;
      } else {
        for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++;
      }
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const wallMs = performance.now() - t0;
      untrackChild(p.pid);
      let maxRssMb: number | null = null;
      if (useTime) {
        const kb = Number(readFileSync(opts.rssFile as string, 'utf8').trim().split('\n').pop());
        maxRssMb = Number.isFinite(kb) ? kb / 1024 : null;
        rmSync(opts.rssFile as string, { force: true });
      }
      resolve({ wallMs, maxRssMb, lines, code, ...(opts.collect ? { output } : {}) });
    });
  });
}

/** The dirs GNU find walks for the logs + temp categories of a root. */
export function fileCategoryDirs(root: string): string[] {
  return ['logs', 'tmp', 'cache'].map((d) => path.join(root, d));
}

/**
 * `find <logs> <tmp> <cache> -type f -mtime +<days> [-print -delete]`. The tree builder puts
 * old files at >= 2.5 days (temp) / >= 31 days (logs) and new ones under 1 day, so
 * `-mtime +1` selects exactly what the engine's logs + temp policies remove.
 */
export function runFind(root: string, opts: { delete?: boolean; collect?: boolean; rssFile?: string; days?: number } = {}): Promise<CommandResult> {
  const args = [...fileCategoryDirs(root), '-type', 'f', '-mtime', `+${opts.days ?? 1}`, '-print'];
  if (opts.delete) args.push('-delete');
  return timeCommand('find', args, { collect: opts.collect, rssFile: opts.rssFile });
}

/** Counts regular files under the category dirs (used to check both sides left the same). */
export async function countFiles(root: string): Promise<number> {
  return (await timeCommand('find', [...fileCategoryDirs(root), '-type', 'f'])).lines;
}

/** Flushes dirty pages so one side's writeback does not land in the other side's timing. */
export function syncDisks(): void {
  spawnSync('sync', [], { stdio: 'ignore' });
}
