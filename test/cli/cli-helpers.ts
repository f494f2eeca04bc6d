/**
 * Helpers for the CLI tests: run the real built CLI as a child process, build a fixture root
 * with real mtimes and a real dashboard database, and list a tree to prove what changed.
 */
import { spawn } from 'node:child_process';
import { lstatSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createDashboardDb, insertRows, SCHEMAS } from '../helpers/db-fixtures.js';
import { DAY, HOUR, writeFileAt } from '../helpers/temp-root.js';

/** The built executable (tests run after `npm run build`). */
export const BIN = path.resolve('dist/src/cli/bin.js');
export const MB = 1_048_576;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: nothing from the real one leaks in except PATH/HOME; no schedule. */
export function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', CLEANUP_SCHEDULE: 'off', ...extra };
}

/** Runs `node dist/src/cli/bin.js ...args` to completion. */
export function runCli(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: opts.env ?? cliEnv(), cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** `YYYYMMDD_HHMMSS` (UTC) for a backup name. */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace(/-/g, '').replace(/:/g, '').replace('T', '_');
}

/** What `buildFixture` makes old or new, and what a default `--force` run removes. */
export const FIXTURE_EXPECTED = {
  backups: 2,
  logs: 2,
  tasks: 2,
  errors: 1,
  prompts: 1,
  temp: 1,
  /** 2 backups of 1 MiB + two 10 KiB logs + one 5 KiB temp file. */
  spaceMb: ((2 * MB + 2 * 10_240 + 5_120) / MB).toFixed(2),
};

/**
 * A dashboard root relative to `now`: 12 prod backups (1 MiB each, one a day) and 3 qa backups,
 * old and recent logs, old and recent temp files, an old session file, and architect.db with
 * old/recent finished tasks, resolved/unresolved errors, old/recent prompts and an activity log.
 */
export function buildFixture(root: string, now: number): void {
  const oneMb = Buffer.alloc(MB, 1);
  for (let d = 1; d <= 12; d++) writeFileAt(root, `backups/prod/architect_${stamp(now - d * DAY)}.db`, now - d * DAY, oneMb);
  for (let d = 1; d <= 3; d++) writeFileAt(root, `backups/qa/architect_${stamp(now - d * DAY)}.db`, now - d * DAY, 'qa');
  writeFileAt(root, 'logs/app.log', now - 90 * DAY, Buffer.alloc(10_240, 2));
  writeFileAt(root, 'logs/worker/old.log.1.gz', now - 90 * DAY, Buffer.alloc(10_240, 3));
  writeFileAt(root, 'logs/recent.log', now - DAY, 'recent');
  writeFileAt(root, 'tmp/old.tmp', now - 72 * HOUR, Buffer.alloc(5_120, 4));
  writeFileAt(root, 'cache/x/recent.bin', now - HOUR, 'fresh');
  writeFileAt(root, 'sessions/s1.json', now - 90 * DAY, '{}');
  const db = createDashboardDb(root, SCHEMAS.taskQueue, SCHEMAS.errorsResolved, SCHEMAS.assignerPrompts, SCHEMAS.activityLog);
  const iso = (ms: number) => new Date(ms).toISOString();
  insertRows(db, 'task_queue', [
    { title: 'old done', status: 'completed', completed_at: iso(now - 90 * DAY) },
    { title: 'old cancelled', status: 'Cancelled', completed_at: iso(now - 60 * DAY) },
    { title: 'old pending', status: 'pending', completed_at: null, created_at: iso(now - 90 * DAY) },
    { title: 'recent done', status: 'completed', completed_at: iso(now - DAY) },
  ]);
  insertRows(db, 'errors', [
    { message: 'old resolved', resolved: 1, resolved_at: iso(now - 90 * DAY) },
    { message: 'old open', resolved: 0, created_at: iso(now - 90 * DAY) },
  ]);
  insertRows(db, 'assigner_prompts', [
    { prompt: 'old', created_at: iso(now - 90 * DAY) },
    { prompt: 'new', created_at: iso(now - DAY) },
  ]);
}

/** Every file and folder under root (`/`-separated) with size and mtime, skipping `skip` prefixes. */
export function listTree(root: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(root, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip.some((s) => r === s || r.startsWith(`${s}/`))) continue;
      const st = lstatSync(path.join(root, r));
      if (st.isDirectory()) {
        out.push(`${r}/`);
        walk(r);
      } else {
        out.push(`${r} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk('');
  return out;
}

/** What a CLI run may change besides the data: its own state and log file. */
export const SERVICE_OWN = ['.cleanup', 'logs/cleanup_worker.log'];
