/**
 * Roots at start-up (issue 10, SPEC 3.12 and section 7), against the built server and CLI:
 * a configured root that does not exist is refused by the server (only the default ./data is
 * created), the CLI keeps "a missing root is not an error", whole-system roots are refused, and a
 * read-only root says "read-only file system": a dry run still reports (unrecorded, and says so),
 * a real run is refused with nothing deleted.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../cli/cli-helpers.js';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { fingerprint, tryMount } from './helpers.js';
import { tryStartServer } from './server-start.js';

const OLD = Date.now() - 90 * DAY;

describe('a root that does not exist', () => {
  it('the server refuses a root named by ARCHITECT_HOME that does not exist (exit 2, one line), creating nothing', async () => {
    const parent = makeTempDir();
    const root = path.join(parent, 'typo');
    const r = await tryStartServer({ ARCHITECT_HOME: root });
    expect(r.started).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`cleanup-worker: root ${root} does not exist; create it or fix ARCHITECT_HOME (only the default ./data is created)`]);
    expect(readdirSync(parent)).toEqual([]);
  });

  it("the server refuses a config file's root that does not exist, naming the file", async () => {
    const parent = makeTempDir();
    const config = path.join(parent, 'cleanup.json');
    writeFileSync(config, JSON.stringify({ root: 'missing' }));
    const r = await tryStartServer({ CLEANUP_CONFIG: config });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`root ${path.join(parent, 'missing')} does not exist; create it or fix the root in ${config}`);
    expect(readdirSync(parent)).toEqual(['cleanup.json']);
  });

  it('the server creates the default ./data root when it is missing, and starts', async () => {
    const cwd = makeTempDir();
    const r = await tryStartServer({}, cwd);
    expect(r.started).toBe(true);
    expect(existsSync(path.join(cwd, 'data', '.cleanup', 'state.db'))).toBe(true);
  });

  it('the server refuses a root that is a file (exit 2)', async () => {
    const parent = makeTempDir();
    const root = path.join(parent, 'file');
    writeFileSync(root, 'not a folder');
    const r = await tryStartServer({ ARCHITECT_HOME: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`root ${root} is not a folder; fix ARCHITECT_HOME`);
  });

  it('the CLI keeps SPEC section 7: a missing root is a warning, exit 0, nothing created', async () => {
    const parent = makeTempDir();
    const root = path.join(parent, 'nope');
    const r = await runCli(['--root', root, '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`root ${root} does not exist; nothing to clean`);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('roots that are whole systems', () => {
  it.each([['/'], ['/etc'], ['/tmp/../var']])('the server refuses ARCHITECT_HOME=%s (exit 2, saying why)', async (root) => {
    const r = await tryStartServer({ ARCHITECT_HOME: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^cleanup-worker: ARCHITECT_HOME ".*" is \/\w*, (the whole file system|a system folder): cleaning it would delete files that are not the dashboard's/);
  });

  it('the CLI refuses --root / (exit 2) without planning anything', async () => {
    const r = await runCli(['--root', '/', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cleanup-worker: --root "\/" is \/, the whole file system/);
  });
});

/** A tmpfs holding an old log, remounted read-only. Null when mounting is not allowed (not root). */
function readOnlyRoot(): string | null {
  const root = path.join(makeTempDir(), 'ro');
  mkdirSync(root);
  if (!tryMount(['-t', 'tmpfs', 'cw-test-ro'], root)) return null;
  writeFileAt(root, 'logs/old.log', OLD, 'old log');
  writeFileAt(root, 'tmp/old.tmp', OLD, 'old temp');
  if (spawnSync('mount', ['-o', 'remount,ro', root]).status !== 0) return null;
  return root;
}

describe('a read-only root', () => {
  it('a CLI dry run still reports what it would delete, and says it could not be recorded (read-only file system)', async (t) => {
    const root = readOnlyRoot();
    if (!root) return t.skip(); // needs root (CAP_SYS_ADMIN) to mount a tmpfs
    const before = fingerprint(root);
    const r = await runCli(['--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('logs/old.log');
    expect(r.stdout).toContain('Dry run: nothing was deleted.');
    expect(r.stderr).toContain(`this dry run could not be recorded: state folder ${root}/.cleanup cannot be created: read-only file system (EROFS)`);
    expect(r.stderr).not.toMatch(/ENOENT/);
    const json = await runCli(['--root', root, '--json']);
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.items.map((i: { target: string }) => i.target)).toEqual(expect.arrayContaining(['logs/old.log', 'tmp/old.tmp']));
    expect(result.warnings).toContainEqual(expect.stringMatching(/could not be recorded: .*read-only file system/));
    expect(fingerprint(root)).toEqual(before);
  });

  it('a CLI real run is refused with "read-only file system" (exit 1), nothing deleted', async (t) => {
    const root = readOnlyRoot();
    if (!root) return t.skip();
    const before = fingerprint(root);
    const r = await runCli(['--root', root, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`state folder ${root}/.cleanup cannot be created: read-only file system (EROFS); a real run is refused`);
    expect(r.stderr).toContain('nothing was deleted');
    expect(fingerprint(root)).toEqual(before);
  });

  it('the server refuses to start on it, saying "read-only file system"', async (t) => {
    const root = readOnlyRoot();
    if (!root) return t.skip();
    const r = await tryStartServer({ ARCHITECT_HOME: root });
    expect(r.started).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`state folder ${root}/.cleanup cannot be created: read-only file system (EROFS)`);
  });

  it('a root the user may not write (chmod 0555, a non-root user): dry run reports, real run refused', async (t) => {
    if (process.getuid?.() !== 0) return t.skip(); // needs root to run the CLI as another user
    const top = makeTempDir();
    chmodSync(top, 0o755);
    const root = path.join(top, 'root');
    writeFileAt(root, 'logs/old.log', OLD, 'old log');
    chmodSync(path.join(root, 'logs'), 0o555);
    chmodSync(root, 0o555);
    const asNobody = (args: string[]) =>
      spawnSync(process.execPath, [path.resolve('dist/src/cli/bin.js'), '--root', root, ...args], { env: cliEnv({ HOME: top }), uid: 65534, gid: 65534, encoding: 'utf8' });
    const dry = asNobody([]);
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('logs/old.log');
    expect(dry.stderr).toContain('could not be recorded: state folder');
    expect(dry.stderr).toContain('permission denied (EACCES)');
    const real = asNobody(['--force']);
    expect(real.status).toBe(1);
    expect(real.stderr).toContain('permission denied (EACCES); a real run is refused');
    expect(existsSync(path.join(root, 'logs/old.log'))).toBe(true);
  });
});
