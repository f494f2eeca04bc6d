import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings, resolveCategories, resolvePolicy } from '../../src/config/settings.js';
import { makeTempDir } from '../helpers/temp-root.js';

function writeConfig(dir: string, data: unknown): string {
  const file = path.join(dir, 'cleanup.json');
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

describe('loadSettings', () => {
  it('uses the SPEC defaults when nothing is configured', () => {
    const cwd = makeTempDir();
    const s = loadSettings({ env: {}, cwd });
    expect(s.root).toBe(path.join(cwd, 'data'));
    expect(s.rootSource).toBe('default');
    expect(s.policy).toEqual({
      backupRetention: { prod: 10, qa: 5, dev: 5, test: 3, default: 5 },
      ages: { logs: 30, tasks: 7, errors: 30, prompts: 14, temp: 24 },
    });
    expect(s.schedule).toBe('0 * * * *');
    expect([s.host, s.port, s.scheduleDryRun]).toEqual(['127.0.0.1', 8080, false]);
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('takes the root from --root over ARCHITECT_HOME over the config file over ./data', () => {
    const cwd = makeTempDir();
    const cfg = writeConfig(cwd, { root: 'from-config' });
    expect(loadSettings({ env: {}, cwd, configFile: cfg }).root).toBe(path.join(cwd, 'from-config'));
    expect(loadSettings({ env: { ARCHITECT_HOME: '/srv/env' }, cwd, configFile: cfg }).root).toBe('/srv/env');
    expect(loadSettings({ env: { ARCHITECT_HOME: '/srv/env' }, cwd, configFile: cfg, root: 'flag' }).root).toBe(path.join(cwd, 'flag'));
  });

  it('applies config retention over defaults, and request overrides over config', () => {
    const cwd = makeTempDir();
    const s = loadSettings({ env: {}, cwd, configFile: writeConfig(cwd, { backup_retention: { prod: 20 }, log_age_days: 10 }) });
    expect(s.policy.backupRetention).toEqual({ prod: 20, qa: 5, dev: 5, test: 3, default: 5 });
    expect(s.policy.ages.logs).toBe(10);
    const p = resolvePolicy(s, { backup_retention: { staging: 2, default: 7 }, log_age_days: 3 });
    expect(p.backupRetention).toEqual({ prod: 20, qa: 5, dev: 5, test: 3, staging: 2, default: 7 });
    expect(p.ages.logs).toBe(3);
    expect(resolvePolicy(s, { backup_retention: 4 }).backupRetention).toEqual({ prod: 4, qa: 4, dev: 4, test: 4, default: 4 });
  });

  it.each([
    [{ bogus: 1 }, /unknown field "bogus"/],
    [{ log_age_days: 0 }, /log_age_days/],
    [{ log_age_days: '30' }, /log_age_days/],
    [{ backup_retention: { prod: 0 } }, /backup_retention/],
    [{ paths: { logs: '../outside' } }, /paths.logs must be a relative path inside the root/],
    [{ paths: { backups: '/abs' } }, /paths.backups/],
    [{ protect: ['/etc/*'] }, /protect glob/],
    [{ schedule: 'every hour' }, /not a valid cron expression/],
    [{ timezone: 'Mars/Olympus' }, /not a known time zone/],
    [{ tables: { tasks: { table: 'x; DROP TABLE y' } } }, /tables.tasks.table/],
  ])('refuses an invalid config file %j with a message naming the key', (data, msg) => {
    const cwd = makeTempDir();
    expect(() => loadSettings({ env: {}, cwd, configFile: writeConfig(cwd, data) })).toThrow(msg);
    expect(() => loadSettings({ env: {}, cwd, configFile: writeConfig(cwd, data) })).toThrow(ConfigError);
  });

  it('refuses a config file that is not JSON or does not exist', () => {
    const cwd = makeTempDir();
    expect(() => loadSettings({ env: {}, cwd, configFile: writeConfig(cwd, '{"a":') })).toThrow(/not valid JSON/);
    expect(() => loadSettings({ env: {}, cwd, configFile: path.join(cwd, 'nope.json') })).toThrow(/cannot be read/);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ CLEANUP_SCHEDULE: '61 * * * *' }, /CLEANUP_SCHEDULE/],
    [{ CLEANUP_SCHEDULE_DRY_RUN: 'maybe' }, /CLEANUP_SCHEDULE_DRY_RUN/],
    [{ CLEANUP_TZ: 'Nowhere/Land' }, /CLEANUP_TZ/],
  ])('refuses a bad environment variable %j', (env, msg) => {
    expect(() => loadSettings({ env, cwd: makeTempDir() })).toThrow(msg);
  });

  it('lets the environment beat the config file for the schedule', () => {
    const cwd = makeTempDir();
    const cfg = writeConfig(cwd, { schedule: '*/5 * * * *' });
    expect(loadSettings({ env: {}, cwd, configFile: cfg }).schedule).toBe('*/5 * * * *');
    expect(loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, cwd, configFile: cfg }).schedule).toBe('off');
  });

  it('selects categories in the fixed order, all by default', () => {
    expect(resolveCategories(undefined)).toEqual(['backups', 'logs', 'tasks', 'errors', 'prompts', 'temp']);
    expect(resolveCategories({ categories: ['temp', 'logs'] })).toEqual(['logs', 'temp']);
  });
});
