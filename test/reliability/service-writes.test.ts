/**
 * Where the service itself writes (issue 10 item 3, SPEC 3.5): the state folder and `state.db`
 * (with -wal/-shm), the PID file and the daemon's stderr file, and the service's own log. Each is
 * tried with a symbolic link pointing outside the root; the outside file or folder must stay
 * byte-for-byte unchanged and nothing may be created there. Runs the built CLI and server.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, runCli } from '../cli/cli-helpers.js';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { fingerprint, track } from './helpers.js';
import { tryStartServer } from './server-start.js';

const OLD = Date.now() - 90 * DAY;

/** A folder outside the root with a file in it (and an empty file SQLite would happily initialise). */
function outside() {
  const dir = makeTempDir('cw-outside-');
  writeFileSync(path.join(dir, 'precious.txt'), 'precious bytes\n');
  writeFileSync(path.join(dir, 'empty.db'), '');
  return { dir, file: path.join(dir, 'precious.txt'), empty: path.join(dir, 'empty.db'), before: fingerprint(dir) };
}

function rootWithOldLog(): string {
  const root = makeTempDir();
  writeFileAt(root, 'logs/old.log', OLD, 'old log');
  return root;
}

/** Daemons a broken build might have started: killed after each test through their PID file. */
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) {
    const pidFile = path.join(root, '.cleanup/cleanup_worker.pid');
    try {
      if (lstatSync(pidFile).isFile()) process.kill(Number.parseInt(readFileSync(pidFile, 'utf8'), 10), 'SIGKILL');
    } catch {
      // no daemon
    }
  }
});

describe('the state folder and state.db', () => {
  const cases: [string, (root: string, o: ReturnType<typeof outside>) => void, string][] = [
    ['the state folder is a link to an outside folder', (root, o) => symlinkSync(o.dir, path.join(root, '.cleanup')), '.cleanup is a symbolic link'],
    ['state.db is a link to an outside (empty) file', (root, o) => {
      mkdirSync(path.join(root, '.cleanup'));
      symlinkSync(o.empty, path.join(root, '.cleanup/state.db'));
    }, 'state.db is a symbolic link'],
    ['state.db-wal is a link to an outside file', (root, o) => {
      mkdirSync(path.join(root, '.cleanup'));
      symlinkSync(o.file, path.join(root, '.cleanup/state.db-wal'));
    }, 'state.db-wal is a symbolic link'],
    ['state.db-shm is a link to an outside file', (root, o) => {
      mkdirSync(path.join(root, '.cleanup'));
      symlinkSync(o.file, path.join(root, '.cleanup/state.db-shm'));
    }, 'state.db-shm is a symbolic link'],
  ];

  it.each(cases)('%s: the CLI exits 2 naming it, nothing deleted, the outside unchanged', async (_name, plant, says) => {
    const root = rootWithOldLog();
    const o = outside();
    plant(root, o);
    for (const args of [[], ['--force']]) {
      const r = await runCli(['--root', root, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(says);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(path.join(root, 'logs/old.log'))).toBe(true);
    expect(fingerprint(o.dir)).toEqual(o.before);
  });

  it.each(cases)('%s: the server refuses to start (exit 2), the outside unchanged', async (_name, plant, says) => {
    const root = rootWithOldLog();
    const o = outside();
    plant(root, o);
    const r = await tryStartServer({ ARCHITECT_HOME: root });
    expect(r.started).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(says);
    expect(fingerprint(o.dir)).toEqual(o.before);
  });
});

describe("the service's own log file", () => {
  it('a log file that is a link: the CLI warns, runs, and appends nothing to the outside file', async () => {
    const root = rootWithOldLog();
    const o = outside();
    symlinkSync(o.file, path.join(root, 'logs/cleanup_worker.log'));
    const r = await runCli(['--root', root, '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`warning: cannot write the log file (log file: ${root}/logs/cleanup_worker.log is a symbolic link`);
    expect(existsSync(path.join(root, 'logs/old.log'))).toBe(false);
    expect(lstatSync(path.join(root, 'logs/cleanup_worker.log')).isSymbolicLink()).toBe(true);
    expect(fingerprint(o.dir)).toEqual(o.before);
  });

  it('a log folder that is a link: no log file is created outside', async () => {
    const root = makeTempDir();
    const o = outside();
    symlinkSync(o.dir, path.join(root, 'logs'));
    const r = await runCli(['--root', root]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`cannot write the log file (log file: ${root}/logs is a symbolic link`);
    expect(fingerprint(o.dir)).toEqual(o.before);
  });

  it('the server with a linked log file logs to stdout only, warns there, and leaves the outside file alone', async () => {
    const root = rootWithOldLog();
    const o = outside();
    symlinkSync(o.file, path.join(root, 'logs/cleanup_worker.log'));
    const r = await tryStartServer({ ARCHITECT_HOME: root, LOG_LEVEL: 'info' });
    expect(r.started).toBe(true);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/^cannot write the log file \(log file: .*cleanup_worker\.log is a symbolic link.*\); logging to stdout only$/) }));
    expect(lines).toContainEqual(expect.objectContaining({ msg: expect.stringMatching(/^cleanup-worker started/) }));
    expect(fingerprint(o.dir)).toEqual(o.before);
  });
});

describe('the PID file and the daemon', () => {
  async function daemonEnv(root: string) {
    roots.push(root);
    return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', CLEANUP_SCHEDULE: 'off', PORT: String(await freePort()) };
  }

  it('--daemon refuses a state folder that is a link (exit 2); nothing is started nor written outside', async () => {
    const root = rootWithOldLog();
    const o = outside();
    symlinkSync(o.dir, path.join(root, '.cleanup'));
    const r = await runCli(['--root', root, '--daemon'], { env: await daemonEnv(root) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.cleanup is a symbolic link');
    expect(fingerprint(o.dir)).toEqual(o.before);
  });

  it('--daemon refuses a linked stderr file instead of truncating the outside file', async () => {
    const root = rootWithOldLog();
    const o = outside();
    mkdirSync(path.join(root, '.cleanup'));
    symlinkSync(o.file, path.join(root, '.cleanup/daemon.stderr.log'));
    const r = await runCli(['--root', root, '--daemon'], { env: await daemonEnv(root) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('daemon.stderr.log is a symbolic link');
    expect(existsSync(path.join(root, '.cleanup/cleanup_worker.pid'))).toBe(false);
    expect(fingerprint(o.dir)).toEqual(o.before);
  });

  it('--stop, --status and --daemon refuse a linked PID file and never signal the pid read through it', async () => {
    const root = rootWithOldLog();
    const o = outside();
    // A process that looks like our server (its command line ends with server.js) and must survive.
    const decoy = track(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'server.js'], { stdio: 'ignore' }));
    const victim = path.join(o.dir, 'pid');
    writeFileSync(victim, `${decoy.pid}\n`);
    const before = fingerprint(o.dir);
    mkdirSync(path.join(root, '.cleanup'));
    symlinkSync(victim, path.join(root, '.cleanup/cleanup_worker.pid'));
    const env = await daemonEnv(root);
    for (const flag of ['--stop', '--status', '--daemon']) {
      const r = await runCli(['--root', root, flag], { env });
      expect(r.code, flag).toBe(2);
      expect(r.stderr, flag).toContain('cleanup_worker.pid is a symbolic link');
    }
    expect(decoy.exitCode).toBeNull();
    expect(decoy.signalCode).toBeNull();
    expect(lstatSync(path.join(root, '.cleanup/cleanup_worker.pid')).isSymbolicLink()).toBe(true);
    expect(fingerprint(o.dir)).toEqual(before);
  });
});
