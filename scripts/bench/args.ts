/**
 * `npm run bench -- [flags]`: the sizes and knobs of one benchmark run, parsed once.
 * Defaults run in a few minutes on 2 cores; `--full` is the scale (1M files, 2M rows).
 */

/** In run order. Issue 16's goals: tasks (1), prompts (2), scale (3), compression (4), s3 (5), listeners (6), panel (7); the earlier ones (8): plan, delete, http, history. */
export const GOALS = ['plan', 'delete', 'tasks', 'prompts', 'scale', 'compression', 's3', 'listeners', 'panel', 'http', 'history'] as const;
export type GoalName = (typeof GOALS)[number];

export interface BenchOptions {
  /** Files in the tree (logs + tmp + cache), half of them old. */
  files: number;
  /** Rows in task_queue, half of them old and finished. */
  rows: number;
  /** Rows in assigner_prompts, half of them old. */
  promptRows: number;
  /** Interleaved engine/reference pairs per goal. */
  repeat: number;
  /** Pairs for goal 2 (each one re-creates the deleted half of two trees: slow at 1M files). */
  deleteRepeat: number;
  /** Which goals to run (`history` needs `http`: it reads the run `http` made). */
  goals: readonly GoalName[];
  /** Seconds per load-generator trial (goal 4). */
  loadSeconds: number;
  /** Concurrent keep-alive connections of the load generator. */
  concurrency: number;
  /** Open-loop poller period, ms. */
  pollMs: number;
  /** Dashboard writer period, ms. */
  writerMs: number;
  /** Keep the temp dir (for inspection) instead of removing it. */
  keep: boolean;
  /** Where the JSON result goes. */
  outDir: string;
  full: boolean;
  /** Write V8 CPU profiles of the engine and server children into this folder. */
  cpuProf: string | null;
  /** Size of the large backup of goals 4 and 5, MB. */
  backupMb: number;
  /** Files of the tree the whole CLI process plans (goal 3). */
  cliFiles: number;
}

const USAGE = `usage: npm run bench -- [--files N] [--rows N] [--prompt-rows N] [--full] [--repeat N] [--delete-repeat N]
       [--goals plan,delete,tasks,prompts,http,history] [--load-seconds S] [--concurrency N]
       [--poll-ms MS] [--writer-ms MS] [--out DIR] [--keep] [--cpu-prof DIR] [--backup-mb MB] [--cli-files N]
  goals: ${GOALS.join(',')}
  default: 100000 files, 200000 rows, 3 repeats, a 64 MB backup; --full: 1000000 files, 2000000 rows, a 256 MB backup`;

export class UsageError extends Error {}

/** Parses argv (without node and the script); throws UsageError naming the bad flag. */
export function parseArgs(argv: readonly string[]): BenchOptions {
  const full = argv.includes('--full');
  const o: BenchOptions = {
    files: full ? 1_000_000 : 100_000,
    rows: full ? 2_000_000 : 200_000,
    promptRows: -1,
    repeat: 3,
    deleteRepeat: -1,
    goals: GOALS,
    loadSeconds: full ? 8 : 4,
    concurrency: 32,
    pollMs: 10,
    writerMs: 5,
    keep: false,
    outDir: 'bench-results',
    full,
    cpuProf: null,
    backupMb: full ? 256 : 64,
    cliFiles: 300_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const int = (min: number) => {
      const v = value();
      const n = Number(v.replace(/_/g, '').replace(/k$/i, '000').replace(/m$/i, '000000'));
      if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min} (got ${v})`);
      return n;
    };
    switch (flag) {
      case '--full': break;
      case '--files': o.files = int(10); break;
      case '--rows': o.rows = int(10); break;
      case '--prompt-rows': o.promptRows = int(10); break;
      case '--repeat': o.repeat = int(1); break;
      case '--delete-repeat': o.deleteRepeat = int(1); break;
      case '--load-seconds': o.loadSeconds = int(1); break;
      case '--concurrency': o.concurrency = int(1); break;
      case '--poll-ms': o.pollMs = int(1); break;
      case '--writer-ms': o.writerMs = int(1); break;
      case '--out': o.outDir = value(); break;
      case '--keep': o.keep = true; break;
      case '--cpu-prof': o.cpuProf = value(); break;
      case '--backup-mb': o.backupMb = int(1); break;
      case '--cli-files': o.cliFiles = int(10); break;
      case '--goals': o.goals = parseGoals(value()); break;
      case '--help': case '-h': throw new UsageError(USAGE);
      default: throw new UsageError(`unknown flag ${flag}\n${USAGE}`);
    }
  }
  if (o.promptRows < 0) o.promptRows = o.rows;
  if (o.deleteRepeat < 0) o.deleteRepeat = o.repeat;
  return o;
}

function parseGoals(v: string): GoalName[] {
  const names = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(GOALS as readonly string[]).includes(n)) throw new UsageError(`--goals: unknown goal ${n} (one of ${GOALS.join(', ')})`);
  }
  if (names.includes('history') && !names.includes('http')) names.push('http');
  return GOALS.filter((g) => names.includes(g));
}
