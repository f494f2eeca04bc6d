/**
 * SPEC 3.12: a configuration cannot aim one category at another's data. `paths.temp: ["tmp",
 * "backups"]` once deleted every backup, the newest included. Every overlap is refused at load,
 * naming both keys, after normalising and case-insensitively.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ConfigError, loadSettings } from '../../src/config/settings.js';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';

function configWith(paths: Record<string, unknown>): { root: string; file: string } {
  const root = makeTempDir('cw-overlap-');
  const file = path.join(makeTempDir('cw-overlap-cfg-'), 'cleanup.json');
  writeFileSync(file, JSON.stringify({ paths }));
  return { root, file };
}

function loadError(paths: Record<string, unknown>): ConfigError {
  const { root, file } = configWith(paths);
  try {
    loadSettings({ env: {}, root, configFile: file });
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`accepted ${JSON.stringify(paths)}`);
}

describe('overlapping configured paths', () => {
  it.each([
    ['a temp folder equal to the backups folder', { temp: ['tmp', 'backups'] }, 'paths.temp[1]', 'paths.backups', 'is the same path as'],
    ['a temp folder inside the backups folder', { temp: ['backups/prod'] }, 'paths.temp[0]', 'paths.backups', 'is inside'],
    ['a temp folder containing the backups folder', { temp: ['data'], backups: 'data/backups' }, 'paths.backups', 'paths.temp[0]', 'is inside'],
    ['logs inside backups', { backups: 'store', logs: 'store/logs' }, 'paths.logs', 'paths.backups', 'is inside'],
    ['a temp folder spelled ./backups/', { temp: ['./backups/'] }, 'paths.temp[0]', 'paths.backups', 'is the same path as'],
    ['a temp folder spelled a/../backups', { temp: ['a/../backups'] }, 'paths.temp[0]', 'paths.backups', 'is the same path as'],
    ['a temp folder spelled with duplicate slashes', { temp: ['backups//prod'] }, 'paths.temp[0]', 'paths.backups', 'is inside'],
    ['a temp folder differing only by case', { temp: ['Backups'] }, 'paths.temp[0]', 'paths.backups', 'case-insensitive'],
    ['two temp folders differing only by case', { temp: ['tmp', 'TMP'] }, 'paths.temp[1]', 'paths.temp[0]', 'case-insensitive'],
    ['two temp folders, one inside the other', { temp: ['tmp', 'tmp/x'] }, 'paths.temp[1]', 'paths.temp[0]', 'is inside'],
    ['sessions inside a temp folder', { sessions: 'tmp/sessions' }, 'paths.sessions', 'paths.temp[0]', 'is inside'],
    ['a temp folder inside sessions', { temp: ['sessions/tmp'] }, 'paths.temp[0]', 'paths.sessions', 'is inside'],
    ['the archive inside backups', { archive: 'backups/archive' }, 'paths.archive', 'paths.backups', 'is inside'],
    ['the state folder inside logs', { state: 'logs/.cleanup' }, 'paths.state', 'paths.logs', 'is inside'],
    ['the database inside a temp folder', { database: 'cache/architect.db' }, 'paths.database', 'paths.temp[1]', 'is inside'],
    ['the database equal to the logs folder', { database: 'LOGS' }, 'paths.database', 'paths.logs', 'case-insensitive'],
    ["the service's log inside a temp folder", { log_file: 'tmp/cleanup_worker.log' }, 'paths.log_file', 'paths.temp[0]', 'is inside'],
    ["the service's log inside the state folder", { log_file: '.cleanup/cleanup_worker.log' }, 'paths.log_file', 'paths.state', 'is inside'],
    ["the service's log equal to the logs folder", { log_file: 'logs/' }, 'paths.log_file', 'paths.logs', 'is the same path as'],
    ["the service's log over the logs folder", { log_file: 'var', logs: 'var/logs' }, 'paths.logs', 'paths.log_file', 'is inside'],
  ])('refuses %s, naming both keys', (_name, paths, inner, outer, how) => {
    const err = loadError(paths);
    // The inner (or later) path first, then the one it overlaps.
    expect(err.message.indexOf(inner)).toBeGreaterThan(0);
    expect(err.message.indexOf(outer)).toBeGreaterThan(err.message.indexOf(inner));
    expect(err.message).toContain(how);
    expect(err.message).toMatch(/^config: .*point (them|it) /);
  });

  it('refuses a path equal to the root however it is spelled', () => {
    for (const p of ['.', './', 'a/..', './/']) expect(loadError({ temp: [p] }).message).toMatch(/paths\.temp\[0\] must name a folder or file below the root/);
  });

  it.each([
    ['the defaults', {}],
    ["the service's log deeper inside logs", { log_file: 'logs/service/cleanup.log' }],
    ["the service's log outside every data folder", { log_file: 'var/cleanup.log' }],
    ['names that only share a prefix', { temp: ['tmp', 'tmpx', 'backups2'], sessions: 'sessions-old' }],
    ['folders side by side under one parent', { backups: 'data/backups', logs: 'data/logs', temp: ['data/tmp'], archive: 'data/archive' }],
  ])('accepts %s', (_name, paths) => {
    const { root, file } = configWith(paths);
    expect(() => loadSettings({ env: {}, root, configFile: file })).not.toThrow();
  });

  it('the CLI exits 2 with one line naming both keys, and deletes nothing (even with --force)', async () => {
    const { root, file } = configWith({ temp: ['tmp', 'backups'] });
    const old = Date.now() - 400 * DAY;
    for (let d = 0; d < 12; d++) writeFileAt(root, `backups/prod/architect_${d}.db`, old + d * DAY);
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
      env: { CLEANUP_SCHEDULE: 'off' },
      cwd: root,
    };
    expect(await main(['--root', root, '--config', file, '--force'], io)).toBe(2);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/paths\.temp\[1\] \("backups"\) is the same path as paths\.backups \("backups"\)/);
    expect(readdirSync(path.join(root, 'backups/prod'))).toHaveLength(12);
    expect(existsSync(path.join(root, '.cleanup'))).toBe(false);
  });
});
