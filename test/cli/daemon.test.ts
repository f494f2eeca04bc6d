/**
 * Daemon control through the real built CLI: --daemon / --status / --stop on a free port, the
 * PID file, a second --daemon, stale PID files, a start that fails. Every server these tests
 * start is found by its unique temp root and killed by pid afterwards.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { cliEnv, freePort, runCli } from './cli-helpers.js';

const now = Date.now();
const roots: string[] = [];

/** Pids of server processes started for `root` (found by their environment). */
function serverPidsFor(root: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const env = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const zombie = stat.charAt(stat.lastIndexOf(')') + 2) === 'Z';
      if (!zombie && cmd.includes('server.js') && env.includes(`ARCHITECT_HOME=${root}`)) pids.push(Number(name));
    } catch {
      // The process went away while we looked.
    }
  }
  return pids;
}

afterEach(() => {
  for (const root of roots.splice(0)) {
    for (const pid of serverPidsFor(root)) process.kill(pid, 'SIGKILL');
  }
});

function newRoot(): string {
  const root = makeTempDir('cw-daemon-');
  roots.push(root);
  writeFileAt(root, 'logs/old.log', now - 90 * DAY, 'old');
  return root;
}

const pidFile = (root: string) => path.join(root, '.cleanup/cleanup_worker.pid');

async function waitGone(pid: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * `--daemon` needs a fixed port, so the test picks a free one; another test file may bind it
 * before the daemon does. That loss shows as exit 1 naming EADDRINUSE (or something else
 * answering there): then it tries again on another port. Anything else is returned as is.
 */
async function daemonOnFreePort(root: string, args: readonly string[] = [], extra: Record<string, string> = {}) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const env = cliEnv({ PORT: String(port), ...extra });
    const start = await runCli(['--daemon', ...args, '--root', root], { env });
    const lostThePort = start.code === 1 && /EADDRINUSE|something already answers/.test(start.stderr);
    if (!lostThePort || attempt === 5) return { start, port, env, url: `http://127.0.0.1:${port}` };
  }
}

/** Pending signals of a live process (/proc/<pid>/status SigPnd | ShdPnd), 0n when none. */
function pendingSignals(pid: number): bigint {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mask = (key: string) => BigInt(`0x${new RegExp(`^${key}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1] ?? '0'}`);
  return mask('SigPnd') | mask('ShdPnd');
}

describe('cleanup-worker --daemon / --status / --stop', () => {
  it('starts the server, reports it, refuses a second one, and stops it', async () => {
    const root = newRoot();
    const { start, env, url } = await daemonOnFreePort(root, [], { CLEANUP_SCHEDULE: '0 * * * *' });
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const pid = Number(readFileSync(pidFile(root), 'utf8').trim());
    expect(start.stdout).toBe(`cleanup-worker: daemon started (pid ${pid}) at ${url}; PID file ${pidFile(root)}\n`);
    expect(serverPidsFor(root)).toEqual([pid]);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    const status = await runCli(['--status', '--json', '--root', root], { env });
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      daemon_running: true, daemon_pid: pid, url, schedule: '0 * * * *', source: 'daemon', last_run: null,
    });
    expect(JSON.parse(status.stdout).next_run).toEqual(expect.any(String));
    const text = await runCli(['--status', '--root', root], { env });
    expect(text.stdout).toContain(`Daemon: running (pid ${pid}) at ${url}\nSchedule: 0 * * * * (next run `);
    expect(text.stdout).toContain('Last run: no runs yet');

    const second = await runCli(['--daemon', '--root', root], { env });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`already running (pid ${pid})`);
    expect(serverPidsFor(root)).toEqual([pid]);

    const stop = await runCli(['--stop', '--root', root], { env });
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe(`cleanup-worker: stopped (pid ${pid})\n`);
    expect(await waitGone(pid)).toBe(true);
    expect(existsSync(pidFile(root))).toBe(false);

    const again = await runCli(['--stop', '--root', root], { env });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('cleanup-worker: not running (no PID file)\n');
  });

  it('--status without a daemon shows the last real run from the state database, or "no runs yet"', async () => {
    const root = newRoot();
    const empty = await runCli(['--status', '--root', root]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('Daemon: not running\n');
    expect(empty.stdout).toContain('Last run: no runs yet\n');
    expect(existsSync(path.join(root, '.cleanup'))).toBe(false);

    expect((await runCli(['--force', '--root', root])).code).toBe(0);
    const after = await runCli(['--status', '--root', root]);
    expect(after.stdout).toMatch(/^Last run: \d{4}-\d\d-\d\dT/m);
    expect(after.stdout).toContain('Cleanup Summary:\n  Backups deleted: 0\n  Logs deleted: 1\n');
    const json = JSON.parse((await runCli(['--status', '--json', '--root', root])).stdout);
    expect(json).toMatchObject({ daemon_running: false, daemon_pid: null, source: 'state', last_stats: { logs_deleted: 1 } });
  });

  it('cleans up a stale PID file: --status reports it, --stop removes it, --daemon replaces it', async () => {
    const root = newRoot();
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    writeFileAt(root, '.cleanup/cleanup_worker.pid', now, `${dead}\n`);
    const status = await runCli(['--status', '--root', root]);
    expect(status.stdout).toContain(`Daemon: not running (stale PID file for pid ${dead}; --stop removes it)`);
    const stop = await runCli(['--stop', '--root', root]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toBe(`cleanup-worker: not running (removed a stale PID file for pid ${dead})\n`);
    expect(existsSync(pidFile(root))).toBe(false);

    writeFileSync(pidFile(root), `${dead}\n`);
    const { start, env } = await daemonOnFreePort(root, ['--json']);
    expect(start.code).toBe(0);
    const out = JSON.parse(start.stdout);
    expect(out).toMatchObject({ success: true, started: true });
    expect(readFileSync(pidFile(root), 'utf8')).toBe(`${out.pid}\n`);
    expect((await runCli(['--stop', '--root', root], { env })).code).toBe(0);
    expect(await waitGone(out.pid)).toBe(true);
  });

  // README: "a pid now used by an unrelated process is never signalled".
  it('--stop never signals an unrelated live process whose pid is in the PID file', async () => {
    const root = newRoot();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = sleeper.pid as number;
      writeFileAt(root, '.cleanup/cleanup_worker.pid', now, `${pid}\n`);
      const status = await runCli(['--status', '--root', root]);
      expect(status.stdout).toContain(`Daemon: not running (stale PID file for pid ${pid}; --stop removes it)`);
      const stop = await runCli(['--stop', '--root', root]);
      expect(stop.code).toBe(0);
      expect(stop.stdout).toBe(`cleanup-worker: not running (removed a stale PID file for pid ${pid})\n`);
      expect(existsSync(pidFile(root))).toBe(false);
      // Still running, not a zombie, and no signal on its way: kill(2) had returned before --stop exited.
      expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).toMatch(/\) [RSD] /);
      expect(pendingSignals(pid)).toBe(0n);
      expect({ exitCode: sleeper.exitCode, signalCode: sleeper.signalCode }).toEqual({ exitCode: null, signalCode: null });
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('exits 1 and removes the PID file when the server cannot start (port taken)', async () => {
    const root = newRoot();
    // The blocker binds port 0 and holds what it got: no window for anyone else to take it.
    const blocker: Server = createServer((s) => s.destroy());
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as AddressInfo;
    try {
      const r = await runCli(['--daemon', '--root', root], { env: cliEnv({ PORT: String(port) }) });
      expect(r.code).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^cleanup-worker: the daemon did not start: it exited/);
      expect(existsSync(pidFile(root))).toBe(false);
      expect(serverPidsFor(root)).toEqual([]);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it('--daemon refuses a root that does not exist, without creating it', async () => {
    const root = path.join(makeTempDir('cw-daemon-'), 'missing');
    roots.push(root);
    const r = await runCli(['--daemon', '--root', root], { env: cliEnv({ PORT: String(await freePort()) }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/root .* does not exist; create it or pass --root DIR/);
    expect(existsSync(root)).toBe(false);
  });
});
