/**
 * File-system fixtures for the file categories: snapshots of a tree, a child process that
 * holds a file open, GNU find as an oracle, config files, and a one-call handler runner.
 * Everything works on real files inside temp folders made by temp-root.ts.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { lstatSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { CategoryHandler } from '../../src/engine/context.js';
import type { Category } from '../../src/engine/types.js';
import type { RunOverrides } from '../../src/config/schema.js';
import { type Collected, makeContext } from './run-context.js';
import { makeTempDir } from './temp-root.js';

/**
 * Every entry under `dir` (links not followed) as sorted lines: `path file size mtimeMs`,
 * `path dir`, `path link -> target`. Equal snapshots mean nothing was created, changed or removed.
 */
export function snapshotTree(dir: string): string[] {
  const out: string[] = [];
  const visit = (abs: string, rel: string) => {
    for (const name of readdirSync(abs)) {
      const a = path.join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(a);
      if (st.isSymbolicLink()) out.push(`${r} link -> ${readlinkSync(a)}`);
      else if (st.isDirectory()) {
        out.push(`${r} dir`);
        visit(a, r);
      } else out.push(`${r} file ${st.size} ${st.mtimeMs}`);
    }
  };
  visit(dir, '');
  return out.sort();
}

/** Regular files under `dir` as GNU find sees them (relative, sorted); `args` go before `-type f`. */
export function findFiles(dir: string, args: string[] = []): string[] {
  const r = spawnSync('find', ['.', ...args, '-type', 'f', '-print0'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`find failed: ${r.stderr}`);
  return r.stdout
    .split('\0')
    .filter(Boolean)
    .map((p) => p.replace(/^\.\//, ''))
    .sort();
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Spawns a node process that opens `file` and waits; resolves with its pid once it holds it. Killed after the test. */
export async function holdOpen(file: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', `require('fs').openSync(${JSON.stringify(file)}, 'r'); console.log('ready'); setInterval(() => {}, 1000);`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited early (${code})`)));
  });
  return child.pid as number;
}

/** Writes a JSON config file in a fresh temp folder and returns its path. */
export function writeConfig(config: object): string {
  const file = path.join(makeTempDir('cw-config-'), 'cleanup.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Runs one handler with a collecting context and returns what it reported. */
export async function runHandler(
  handler: CategoryHandler,
  settings: Settings,
  opts: { dryRun?: boolean; overrides?: RunOverrides; beforeExecute?: (c: Category) => Promise<void> | void; signal?: AbortSignal } = {},
): Promise<Collected> {
  const { ctx, out } = makeContext(settings, opts);
  await handler.run(ctx);
  return out;
}

/** Items sorted by target: the walker threads share a tree, so items come in no fixed order. */
export function byTarget<T extends { target: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

/** Targets of reported items, sorted. */
export function targets(out: { target: string }[]): string[] {
  return out.map((i) => i.target).sort();
}
