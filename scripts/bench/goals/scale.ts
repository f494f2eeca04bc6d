/**
 * Goal 3: planning at every scale.
 * - in-engine dry run of logs + temp vs `find -mtime` at 100k files (the fixed costs weigh most
 *   there), beside the same check at the master tree's size (goal 8's plan row);
 * - the whole CLI process, `cleanup-worker --root T --json` (a dry run of every category) on
 *   300k files, against `find … -type f -mtime +1 | wc -l`, both started from the shell
 *   (`sh -c`), spawn to exit: node start, module loading, state DB, logger, walker threads and all.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileCategoryDirs, syncDisks, timeCommand } from '../commands.js';
import { buildTrees } from '../fixtures.js';
import { type Check, type GoalResult, ratioCheck, say } from '../results.js';
import { median } from '../stats.js';
import { removeTree } from '../workdir.js';
import { benchPlan, type FilesContext } from './files.js';

export interface ScaleContext {
  work: string;
  repeat: number;
  now: number;
  /** The master tree (goal 8's plan runs on it) and its size. */
  master: { root: string; files: number; old: number };
  /** Goal 8's plan result on the master tree, when it ran. */
  masterPlan: GoalResult | null;
  /** Files of the CLI check's tree (300k). */
  cliFiles: number;
}

/** A tree of `files` files: the master when it has that size, else built (and returned with its old count). */
export async function treeOf(c: { work: string; now: number; master: ScaleContext['master'] }, files: number): Promise<{ root: string; old: number; built: boolean }> {
  if (c.master.files === files && c.master.root) return { root: c.master.root, old: c.master.old, built: false };
  const root = path.join(c.work, `tree-${files}`);
  say(`building a tree of ${files} files`);
  const t = await buildTrees([root], files, c.now);
  return { root, old: t.old, built: true };
}

export async function benchScale(c: ScaleContext): Promise<GoalResult> {
  const checks: Check[] = [];
  const notes: string[] = [];
  const runs: unknown[] = [];
  const small = await treeOf(c, 100_000);
  const files: FilesContext = { work: c.work, treeRoot: small.root, expectedOld: small.old, repeat: c.repeat, files: 100_000, now: c.now };
  const plan100k = await benchPlan(files);
  if (small.built) removeTree(small.root);
  const at100k = plan100k.checks[0] as Check;
  checks.push({ ...at100k, name: 'in-engine plan at 100k files vs find -mtime' });
  notes.push(...plan100k.notes.map((n) => `100k: ${n}`));
  runs.push({ at: 100_000, runs: plan100k.runs });
  const big = c.masterPlan?.checks[0];
  if (big && c.master.files !== 100_000) checks.push({ ...big, name: `in-engine plan at ${c.master.files / 1000}k files vs find -mtime (goal 8's run)` });

  const cli = await treeOf(c, c.cliFiles);
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'cli', 'bin.js');
  const dirs = fileCategoryDirs(cli.root).map((d) => `"${d}"`).join(' ');
  const cliRuns: { rep: number; cliMs: number; findMs: number; code: number | null }[] = [];
  for (let rep = 0; rep < c.repeat; rep++) {
    let cliMs = 0;
    let findMs = 0;
    let code: number | null = null;
    for (const side of rep % 2 ? ['cli', 'find'] : ['find', 'cli']) {
      syncDisks();
      if (side === 'find') findMs = (await timeCommand('sh', ['-c', `find ${dirs} -type f -mtime +1 | wc -l > /dev/null`])).wallMs;
      else {
        const r = await timeCommand('sh', ['-c', `node "${bin}" --root "${cli.root}" --json > /dev/null`]);
        cliMs = r.wallMs;
        code = r.code;
        removeTree(path.join(cli.root, '.cleanup'));
        removeTree(path.join(cli.root, 'logs', 'cleanup_worker.log'));
      }
    }
    say(`cli rep ${rep + 1}: find | wc -l ${Math.round(findMs)} ms, cleanup-worker --json ${Math.round(cliMs)} ms (exit ${code})`);
    cliRuns.push({ rep, cliMs, findMs, code });
  }
  if (cli.built) removeTree(cli.root);
  runs.push({ at: c.cliFiles, cli: cliRuns });
  checks.push(ratioCheck(`whole CLI process, dry run of ${c.cliFiles / 1000}k files, vs find | wc -l`, median(cliRuns.map((r) => r.cliMs)), median(cliRuns.map((r) => r.findMs)), '<=', 1.8));
  notes.push(`CLI exit codes: ${[...new Set(cliRuns.map((r) => r.code))].join(', ')} (1 = warnings only: no backups folder or database in the tree)`);
  return { goal: '3', title: 'plan at every scale: 100k in the engine, the whole CLI process at 300k', checks, runs, notes };
}
