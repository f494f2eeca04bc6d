/**
 * Builds the fixtures once per bench run, in the temp folder: the master file tree (in two
 * processes: tree building is the slow part at 1M files) and the two master databases.
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPromptsDb, buildTasksDb, type DbSummary } from './dashboard-db.js';
import { say } from './results.js';
import { buildTreeSlice, type TreeSummary } from './tree.js';
import { trackChild, untrackChild } from './workdir.js';

/**
 * Builds trees with `parallel` processes in all (each writes a slice of indices of one tree).
 * Several roots get identical trees (same names, sizes, mtimes); `oldOnly` restores just the
 * old half, which is what a real run removed. Creating files is the slow part at 1M files.
 */
export async function buildTrees(roots: readonly string[], files: number, now: number, opts: { parallel?: number; oldOnly?: boolean } = {}): Promise<TreeSummary> {
  const parallel = Math.max(1, Math.floor((opts.parallel ?? 2) / roots.length));
  const built = await Promise.all(roots.map((r) => buildTreeParallel(r, files, now, parallel, opts.oldOnly ?? false)));
  return built[0] as TreeSummary;
}

async function buildTreeParallel(root: string, files: number, now: number, parallel: number, oldOnly: boolean): Promise<TreeSummary> {
  const t0 = performance.now();
  mkdirSync(path.join(root, 'sessions'), { recursive: true });
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tree-slice.js');
  const step = Math.ceil(files / parallel);
  const parts = await Promise.all(
    Array.from({ length: parallel }, (_, k) => {
      const from = k * step;
      const to = Math.min(files, from + step);
      if (!existsSync(script)) return buildTreeSlice(root, files, now, from, to, oldOnly);
      return new Promise<Omit<TreeSummary, 'buildMs'>>((resolve, reject) => {
        const p = fork(script, [root, String(files), String(now), String(from), String(to), oldOnly ? 'old-only' : 'all'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        trackChild(p.pid);
        p.once('message', (m) => resolve(m as Omit<TreeSummary, 'buildMs'>));
        p.once('exit', (code) => {
          untrackChild(p.pid);
          if (code !== 0) reject(new Error(`tree builder exited with ${code}`));
        });
      });
    }),
  );
  const sum = parts.reduce((a, b) => ({ files: a.files + b.files, old: a.old + b.old, bytes: a.bytes + b.bytes, oldBytes: a.oldBytes + b.oldBytes, dirs: a.dirs + b.dirs }));
  return { ...sum, buildMs: performance.now() - t0 };
}

export interface Fixtures {
  treeRoot?: string;
  tree?: TreeSummary;
  tasksDb?: string;
  tasks?: DbSummary;
  promptsDb?: string;
  prompts?: DbSummary;
}

/** Builds what the selected goals need. */
export async function buildFixtures(work: string, need: { tree: boolean; tasks: boolean; prompts: boolean }, sizes: { files: number; rows: number; promptRows: number }, now: number): Promise<Fixtures> {
  const f: Fixtures = {};
  if (need.tree) {
    f.treeRoot = path.join(work, 'tree');
    say(`building the master tree: ${sizes.files} files`);
    f.tree = await buildTrees([f.treeRoot], sizes.files, now);
    say(`tree built in ${(f.tree.buildMs / 1000).toFixed(1)} s (${f.tree.old} old files, ${f.tree.dirs} folders)`);
  }
  mkdirSync(path.join(work, 'db'), { recursive: true });
  if (need.tasks) {
    f.tasksDb = path.join(work, 'db', 'tasks.db');
    say(`building the tasks database: ${sizes.rows} rows`);
    f.tasks = buildTasksDb(f.tasksDb, sizes.rows, now);
    say(`tasks database built in ${(f.tasks.buildMs / 1000).toFixed(1)} s (${(f.tasks.bytes / 2 ** 20).toFixed(0)} MB)`);
  }
  if (need.prompts) {
    f.promptsDb = path.join(work, 'db', 'prompts.db');
    say(`building the prompts database: ${sizes.promptRows} rows`);
    f.prompts = buildPromptsDb(f.promptsDb, sizes.promptRows, now);
    say(`prompts database built in ${(f.prompts.buildMs / 1000).toFixed(1)} s (${(f.prompts.bytes / 2 ** 20).toFixed(0)} MB)`);
  }
  return f;
}
