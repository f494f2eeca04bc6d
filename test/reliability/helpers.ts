/**
 * Shared tools of the reliability suite: a byte-for-byte fingerprint of a tree (Buffer paths,
 * so non-UTF-8 names are hashed too), the built server as a real child process, a tiny SQLite
 * child process (a dashboard that writes while we clean), and `chattr +i` for root-proof
 * "permission denied". Every process started here is killed after the test.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { createDashboardDb, insertRows, SCHEMAS } from '../helpers/db-fixtures.js';
import { writeFileAt } from '../helpers/temp-root.js';

export const REPO = path.resolve(__dirname, '../..');
export const SERVER = path.join(REPO, 'dist/src/server.js');
export const CLI = path.join(REPO, 'dist/src/cli/bin.js');
export const CLEANUP = '/api/system/cleanup';

/**
 * Every entry under `dir` (links not followed), sorted: path (latin1, so any byte survives),
 * type, mode, size, mtime and the SHA-256 of a file's bytes or a link's target.
 * `skip` lists root-relative prefixes left out (the service's own state).
 */
export function fingerprint(dir: string, skip: readonly string[] = []): string[] {
  const out: string[] = [];
  const visit = (abs: Buffer, rel: string) => {
    for (const name of readdirSync(abs, { encoding: 'buffer' })) {
      const a = Buffer.concat([abs, Buffer.from('/'), name]);
      const r = rel ? `${rel}/${name.toString('latin1')}` : name.toString('latin1');
      if (skip.some((s) => r === s || r.startsWith(`${s}/`))) continue;
      const st = lstatSync(a);
      const head = `${JSON.stringify(r)} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`;
      if (st.isSymbolicLink()) out.push(`${head} link ${readlinkSync(a, { encoding: 'buffer' }).toString('latin1')}`);
      else if (st.isDirectory()) {
        out.push(`${head} dir`);
        visit(a, r);
      } else out.push(`${head} file ${createHash('sha256').update(readFileSync(a)).digest('hex')}`);
    }
  };
  visit(Buffer.from(dir), '');
  return out.sort();
}

/** What the service itself writes under a root (never data). */
export const OWN_STATE = ['.cleanup', 'logs/cleanup_worker.log'];

const children: ChildProcess[] = [];
const immutable: string[] = [];
const mounts: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const p of immutable.splice(0)) spawnSync('chattr', ['-i', p]);
  for (const m of mounts.splice(0).reverse()) spawnSync('umount', ['-l', m]);
});

/** Remembers a child so it is SIGKILLed after the test if still alive. */
export function track<T extends ChildProcess>(child: T): T {
  children.push(child);
  return child;
}

/** `chattr +i`: even root gets EPERM on unlink/write. Undone after the test. False when unsupported. */
export function makeImmutable(p: string): boolean {
  const r = spawnSync('chattr', ['+i', p]);
  if (r.status !== 0) return false;
  immutable.push(p);
  return true;
}

export function undoImmutable(p: string): void {
  spawnSync('chattr', ['-i', p]);
}

/** `mount …args` with `target` as the last argument; unmounted after the test. False when not allowed. */
export function tryMount(args: readonly string[], target: string): boolean {
  const r = spawnSync('mount', [...args, target]);
  if (r.status !== 0) return false;
  mounts.push(target);
  return true;
}

export interface ServerProc {
  child: ChildProcess;
  url: string;
  pid: number;
  stderr: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts dist/src/server.js over `root` on port 0 (the kernel picks a free port, so files running
 * in parallel never race for one) and resolves with the URL its start line reports (`listen`,
 * logged at info) once /health answers there. Rejects with its stderr if it exits first.
 */
export async function startServer(root: string, env: Record<string, string> = {}): Promise<ServerProc> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} missing: run the build (npx tsc -p .) first`);
  const child = track(
    spawn(process.execPath, [SERVER], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ARCHITECT_HOME: root, CLEANUP_SCHEDULE: 'off', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = await listenUrl(child, () => stderr);
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not answering yet
    }
    if (Date.now() > deadline) throw new Error(`server did not answer /health: ${stderr}`);
    await sleep(50);
  }
  return { child, url, pid: child.pid as number, stderr: () => stderr, exited };
}

/** The `listen` URL of the server's start log line on stdout; stdout is drained (and dropped) after it. */
function listenUrl(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let found = false;
    child.stdout?.on('data', (d: Buffer) => {
      if (found) return;
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0 && !found; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const listen = /"listen":"(http:\/\/[^"]+)"/.exec(line)?.[1];
        if (listen) {
          found = true;
          buf = '';
          resolve(listen);
        }
      }
    });
    // 'close', not 'exit': by then all of stderr has been read, so the error carries it.
    child.once('close', (code) => reject(new Error(`server exited ${code}: ${stderr()}`)));
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A seeded pseudo-random generator (mulberry32) in [0, 1): a failing run can be replayed. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Polls `check` every 20 ms until it returns a truthy value; throws after `ms`. */
export async function until<T>(check: () => T | Promise<T>, ms = 15_000, what = 'condition'): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await sleep(20);
  }
}

/**
 * Runs `script` (CommonJS, better-sqlite3 available as `Database`, the database path as `FILE`,
 * and `onCommand(word, fn)` to act on a line the test sends) in a child node process. Resolves
 * once it prints `ready`; `send(word)` writes a line to it; `done` resolves with its stdout.
 */
export async function sqliteChild(
  file: string,
  script: string,
): Promise<{ child: ChildProcess; done: Promise<string>; send: (word: string) => void }> {
  const prelude = `const Database = require(${JSON.stringify(path.join(REPO, 'node_modules/better-sqlite3'))}); const FILE = ${JSON.stringify(file)};
    const onCommand = (word, fn) => { let buf = ''; const on = (d) => { buf += d; if (buf.split('\\n').includes(word)) { process.stdin.off('data', on); process.stdin.destroy(); fn(); } }; process.stdin.on('data', on); };\n`;
  const child = track(spawn(process.execPath, ['-e', prelude + script], { stdio: ['pipe', 'pipe', 'pipe'] }));
  let out = '';
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const done = new Promise<string>((resolve, reject) =>
    child.on('exit', (c) => (c === 0 ? resolve(out) : reject(new Error(`sqlite child exited ${c}: ${err}`)))),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out += d;
      if (out.includes('ready')) resolve();
    });
    done.catch(reject);
  });
  return { child, done, send: (word) => child.stdin?.write(`${word}\n`) };
}

/** `PRAGMA integrity_check` through the sqlite child-free path: 'ok' when the file is sound. */
export function integrityCheck(file: string): string {
  const r = spawnSync(
    process.execPath,
    ['-e', `const D = require(${JSON.stringify(path.join(REPO, 'node_modules/better-sqlite3'))}); const db = new D(${JSON.stringify(file)}, { readonly: true, fileMustExist: true }); console.log(db.pragma('integrity_check', { simple: true }));`],
    { encoding: 'utf8' },
  );
  return (r.stdout || r.stderr).trim();
}

/**
 * A dashboard root like test/cli's buildFixture, with small files so that fingerprinting it
 * after every fuzz case stays cheap: 12 prod + 3 qa backups, old and recent logs and temp files
 * (nested), a session file, and architect.db with tasks, errors, prompts and an activity log.
 */
export function buildSmallFixture(root: string, now: number): void {
  const day = 86_400_000;
  const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
  for (let d = 1; d <= 12; d++) writeFileAt(root, `backups/prod/architect_${stamp(now - d * day)}.db`, now - d * day, `prod ${d}`);
  for (let d = 1; d <= 3; d++) writeFileAt(root, `backups/qa/architect_${stamp(now - d * day)}.db`, now - d * day, `qa ${d}`);
  writeFileAt(root, 'logs/app.log', now - 90 * day, 'old log');
  writeFileAt(root, 'logs/worker/old.log.1.gz', now - 90 * day, 'old rotated');
  writeFileAt(root, 'logs/recent.log', now - day, 'recent');
  writeFileAt(root, 'tmp/a/b/old.tmp', now - 3 * day, 'old temp');
  writeFileAt(root, 'cache/x/recent.bin', now - 3_600_000, 'fresh');
  writeFileAt(root, 'sessions/s1.json', now - 90 * day, '{}');
  const db = createDashboardDb(root, SCHEMAS.taskQueue, SCHEMAS.errorsResolved, SCHEMAS.assignerPrompts, SCHEMAS.activityLog);
  const iso = (ms: number) => new Date(ms).toISOString();
  insertRows(db, 'task_queue', [
    { title: 'old done', status: 'completed', completed_at: iso(now - 90 * day) },
    { title: 'old pending', status: 'pending', created_at: iso(now - 90 * day) },
    { title: 'recent done', status: 'completed', completed_at: iso(now - day) },
  ]);
  insertRows(db, 'errors', [
    { message: 'old resolved', resolved: 1, resolved_at: iso(now - 90 * day) },
    { message: 'old open', resolved: 0, created_at: iso(now - 90 * day) },
  ]);
  insertRows(db, 'assigner_prompts', [
    { prompt: 'old', created_at: iso(now - 90 * day) },
    { prompt: 'new', created_at: iso(now - day) },
  ]);
}
