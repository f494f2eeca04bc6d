/**
 * `npm run bench`: the performance benchmark of the storage-cleanup issue. Builds a file tree
 * and dashboard databases in a temp folder, runs each goal's engine side and its reference
 * side interleaved (A B, B A, …) `--repeat` times, each side in its own child process, then
 * prints a Markdown table of medians, ratios and pass/fail and writes it all as JSON to
 * bench-results/<timestamp>.json. The temp folder is removed at the end and on Ctrl-C.
 * See docs/PERFORMANCE.md for what each goal measures and the latest figures.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, UsageError } from './bench/args.js';
import { childFlags } from './bench/child.js';
import { buildFixtures } from './bench/fixtures.js';
import { type DbContext, benchRows } from './bench/goals/database.js';
import { benchDelete, benchPlan } from './bench/goals/files.js';
import { benchCompression, benchS3 } from './bench/goals/backup-archive.js';
import { benchHttp } from './bench/goals/http.js';
import { benchListeners } from './bench/goals/listeners.js';
import { benchPanel } from './bench/goals/panel.js';
import { benchScale } from './bench/goals/scale.js';
import { type BenchReport, machineInfo, markdownNotes, markdownTable, writeJson } from './bench/report.js';
import { type GoalResult, say } from './bench/results.js';
import { cleanupAll, createWorkdir } from './bench/workdir.js';

const CONDITIONS = [
  'goals are numbered as in issue 16: 1 tasks, 2 prompts, 3 plan at every scale, 4 compression, 5 archive to S3, 6 listeners, 7 panel, 8 the earlier goals (plan RSS, delete, /status, history)',
  'warm page cache: the fixtures were just written and dropping caches needs root, so every side reads metadata from memory (find and the engine alike)',
  'each side runs in its own child process; engine time is runOnce() alone (not node start-up), find time is spawn to exit',
  'engine sides log every item with pino to <root>/logs/cleanup_worker.log and record it in .cleanup/state.db, as in production',
];

async function main(argv: readonly string[]): Promise<number> {
  let opts: ReturnType<typeof parseArgs>;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const startedAt = new Date().toISOString();
  if (opts.cpuProf) {
    const dir = path.resolve(opts.cpuProf);
    mkdirSync(dir, { recursive: true });
    childFlags['engine-child'] = ['--cpu-prof', '--cpu-prof-dir', dir];
    childFlags['server-child'] = ['--cpu-prof', '--cpu-prof-dir', dir];
  }
  const work = createWorkdir(opts.keep);
  say(`temp folder ${work}${opts.keep ? ' (kept)' : ''}; ${opts.files} files, ${opts.rows} task rows, ${opts.promptRows} prompt rows, ${opts.repeat} repeats`);
  const has = (g: string) => (opts.goals as readonly string[]).includes(g);
  const now = Date.now();
  const needTree = ['plan', 'delete', 'http', 'scale', 'listeners'].some(has);
  const fixtures = await buildFixtures(work, { tree: needTree, tasks: has('tasks') || has('http'), prompts: has('prompts') }, opts, now);
  const goals: GoalResult[] = [];
  const files = { work, treeRoot: fixtures.treeRoot ?? '', expectedOld: fixtures.tree?.old ?? 0, repeat: opts.repeat, files: opts.files, now };
  let masterPlan: GoalResult | null = null;
  if (has('plan')) goals.push((masterPlan = await benchPlan(files)));
  if (has('delete')) goals.push(await benchDelete({ ...files, repeat: opts.deleteRepeat }));
  const db = (masterDb: string): DbContext => ({ work, masterDb, repeat: opts.repeat, writerMs: opts.writerMs });
  if (has('tasks')) goals.push(await benchRows('tasks', db(fixtures.tasksDb ?? '')));
  if (has('prompts')) goals.push(await benchRows('prompts', db(fixtures.promptsDb ?? '')));
  const master = { root: fixtures.treeRoot ?? '', files: opts.files, old: fixtures.tree?.old ?? 0 };
  if (has('scale')) goals.push(await benchScale({ work, repeat: opts.repeat, now, master, masterPlan, cliFiles: opts.cliFiles }));
  const archive = { work, repeat: opts.repeat, backupBytes: opts.backupMb * 2 ** 20, now };
  if (has('compression') || has('s3')) {
    const compression = await benchCompression(archive);
    if (has('compression')) goals.push(compression);
    if (has('s3')) goals.push(await benchS3(archive));
  }
  if (has('listeners')) goals.push(await benchListeners({ work, repeat: opts.repeat, now, master }));
  if (has('panel')) goals.push(await benchPanel({ work, repeat: opts.repeat }));
  if (has('http')) {
    goals.push(
      ...(await benchHttp({
        work,
        treeRoot: fixtures.treeRoot ?? '',
        tasksDb: fixtures.tasksDb ?? '',
        repeat: opts.repeat,
        loadSeconds: opts.loadSeconds,
        concurrency: opts.concurrency,
        pollMs: opts.pollMs,
        writerMs: opts.writerMs,
        history: has('history'),
        panel: has('panel'),
      })),
    );
  }
  const report: BenchReport = { startedAt, finishedAt: new Date().toISOString(), options: opts, machine: machineInfo(), conditions: CONDITIONS, fixtures, goals };
  const file = writeJson(opts.outDir, report);
  const m = report.machine;
  process.stdout.write(
    `\n## cleanup-worker bench: ${opts.files} files, ${opts.rows} task rows, ${opts.promptRows} prompt rows, ${opts.repeat} repeats\n\n` +
      `${m.cpus} CPUs (${m.cpuModel}), ${m.memGb} GB, node ${m.node}, ${m.platform}\n\n` +
      `${markdownTable(goals)}\n\n${markdownNotes(goals)}\n\nConditions:\n${CONDITIONS.map((c) => `- ${c}`).join('\n')}\n\nJSON: ${file}\n`,
  );
  return goals.every((g) => g.checks.every((c) => c.pass)) ? 0 : 1;
}

main(process.argv.slice(2))
  .then((code) => {
    cleanupAll();
    process.exit(code);
  })
  .catch((err) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    cleanupAll();
    process.exit(1);
  });
