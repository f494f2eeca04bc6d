/**
 * src/server.ts as a real process: compiled once into a temp folder, started on port 0 over
 * a temp root, asked for /health, and stopped with SIGTERM. At most one server runs at a time.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStateStoreAt } from '../../src/store/state-store.js';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';

const REPO = path.resolve(__dirname, '../..');
let build = '';
const children: ChildProcess[] = [];

beforeAll(() => {
  build = mkdtempSync(path.join(os.tmpdir(), 'cw-server-build-'));
  // The compiled files resolve packages through this link and are ESM through this package.json.
  symlinkSync(path.join(REPO, 'node_modules'), path.join(build, 'node_modules'), 'dir');
  writeFileSync(path.join(build, 'package.json'), '{"type": "module"}');
  // Type errors elsewhere in a work-in-progress tree do not stop tsc from emitting.
  spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--outDir', build], { cwd: REPO });
  expect(existsSync(path.join(build, 'src/server.js'))).toBe(true);
}, 60_000);

afterAll(() => {
  if (build) rmSync(build, { recursive: true, force: true });
});

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Server {
  child: ChildProcess;
  url: string;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

/** Starts the server and resolves with its URL once it logs that it listens. */
function startServer(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, [path.join(build, 'src/server.js')], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', CLEANUP_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Record<string, unknown>[] = [];
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let buf = '';
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    child.stdout?.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        lines.push(line);
        if (typeof line.listen === 'string') resolve({ child, url: line.listen, lines, exited });
      }
    });
    exited.then((code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
}

describe('server.ts', () => {
  it('starts, says what it will clean, serves /health, and exits 0 on SIGTERM removing its PID file', async () => {
    // A root named by ARCHITECT_HOME must exist now (issue 10): only the default ./data is created
    // at start (test/reliability/roots.test.ts); the state folder inside it still is.
    const root = path.join(makeTempDir(), 'not', 'yet');
    mkdirSync(root, { recursive: true });
    const server = await startServer({ ARCHITECT_HOME: root, CLEANUP_SCHEDULE: '0 * * * *' });
    expect(existsSync(path.join(root, '.cleanup', 'state.db'))).toBe(true);
    const started = server.lines.find((l) => typeof l.listen === 'string');
    expect(started).toMatchObject({ root, schedule: '0 * * * *', policy: expect.arrayContaining([expect.stringMatching(/^logs: /)]) });
    expect(Date.parse(String(started?.next_run))).toBeGreaterThan(Date.now());

    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const status = await (await fetch(`${server.url}/api/system/cleanup/status`)).json();
    expect(status).toMatchObject({ daemon_running: true, daemon_pid: server.child.pid, schedule: '0 * * * *' });

    const pidFile = path.join(root, '.cleanup', 'cleanup_worker.pid');
    writeFileSync(pidFile, `${server.child.pid}\n`);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(pidFile)).toBe(false);
  });

  it('runs a real cleanup over HTTP, never logs the token, and leaves a PID file that is not its own', async () => {
    const root = makeTempDir();
    const old = writeFileAt(root, 'logs/old.log', Date.now() - 90 * DAY);
    mkdirSync(path.join(root, '.cleanup'), { recursive: true });
    const pidFile = path.join(root, '.cleanup', 'cleanup_worker.pid');
    writeFileSync(pidFile, '999999999\n');
    const token = 'tok-7f3a9c1e-secret';
    const server = await startServer({ ARCHITECT_HOME: root, CLEANUP_API_TOKEN: token });
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const res = await fetch(`${server.url}/api/system/cleanup`, { method: 'POST', headers, body: '{"dry_run": false}' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { stats: { logs_deleted: number } }).stats.logs_deleted).toBe(1);
    expect(existsSync(old)).toBe(false);
    // Every removed item is logged by name.
    expect(server.lines.some((l) => l.msg === 'removed' && l.target === 'logs/old.log' && typeof l.run_id === 'string' && l.reason && l.category === 'logs')).toBe(true);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(existsSync(pidFile)).toBe(true);
    expect(JSON.stringify(server.lines)).not.toContain(token);
    expect(readFileSync(path.join(root, 'logs', 'cleanup_worker.log'), 'utf8')).not.toContain(token);
  });

  it('marks runs cut off by a crash as interrupted at start', async () => {
    const root = makeTempDir();
    const db = path.join(root, '.cleanup', 'state.db');
    mkdirSync(path.dirname(db), { recursive: true });
    // A process that takes the lock, starts a run and dies without finishing it.
    const crash = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(process.argv[1]);
         const s = m.openStateStoreAt(process.argv[2]);
         console.log(s.startRun({ trigger: 'cli', dryRun: false, settings: {} }));
         process.kill(process.pid, 'SIGKILL');`,
        pathToFileURL(path.join(build, 'src/store/state-store.js')).href,
        db,
      ],
      { encoding: 'utf8' },
    );
    const runId = crash.stdout.trim();
    expect(runId).not.toBe('');
    const before = openStateStoreAt(db);
    expect(before.getRun(runId)?.status).toBe('running');
    expect(before.runningRun()).toBeNull();
    before.close();

    const server = await startServer({ ARCHITECT_HOME: root });
    const run = (await (await fetch(`${server.url}/api/system/cleanup/runs/${runId}`)).json()) as { run: object };
    expect(run.run).toMatchObject({ run_id: runId, status: 'interrupted' });
    expect(server.lines.some((l) => l.count === 1 && String(l.msg).includes('interrupted'))).toBe(true);
    // The dead owner's lock is gone: a new run is not refused.
    const res = await fetch(`${server.url}/api/system/cleanup`, { method: 'POST' });
    expect(res.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('refuses a bad schedule with one line on stderr and exit code 2', () => {
    const root = makeTempDir();
    const r = spawnSync(process.execPath, [path.join(build, 'src/server.js')], {
      env: { PATH: process.env.PATH ?? '', ARCHITECT_HOME: root, CLEANUP_SCHEDULE: 'every hour', PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('CLEANUP_SCHEDULE');
    expect(existsSync(path.join(root, '.cleanup'))).toBe(false);
  });
});
