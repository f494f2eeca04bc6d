/** GET/PUT /api/system/cleanup/config and /config/history (issue 14): checked, persisted, applied, recorded. */
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { createConfigStore } from '../../src/store/config-store.js';
import { makeLiveApp } from '../helpers/live-app.js';
import { DAY, writeFileAt } from '../helpers/temp-root.js';

const URL = '/api/system/cleanup/config';
const YEARLY = { schedule: '0 3 1 1 *', timezone: 'UTC' };
const DRY_SCHEDULE = { CLEANUP_SCHEDULE_DRY_RUN: 'true' };

describe('GET /config', () => {
  it('shows the effective settings with every default filled in, and where a change is saved', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE, file: { ...YEARLY, log_age_days: 12, backup_retention: { prod: 20 } } });
    const res = await l.app.inject({ method: 'GET', url: URL });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      success: true,
      persisted_to: 'file',
      config_file: l.configFile,
      env_overrides: {},
      config: {
        backup_retention: { prod: 20, qa: 5, dev: 5, test: 3, default: 5 },
        log_age_days: 12,
        task_age_days: 7,
        temp_age_hours: 24,
        protect: [],
        schedule: '0 3 1 1 *',
        timezone: 'UTC',
      },
    });
  });
});

describe('PUT /config', () => {
  it('refuses a bad value with a message naming the field, and saves nothing', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE, file: YEARLY });
    const before = readFileSync(l.configFile!, 'utf8');
    for (const [body, field] of [
      [{ log_age_days: 0 }, 'body.log_age_days'],
      [{ backup_retention: { prod: 0 } }, 'body.backup_retention.prod'],
      [{ schedule: 'every now and then' }, 'body.schedule'],
      [{ timezone: 'Mars/Olympus' }, 'body.timezone'],
      [{ protect: ['/etc/*'] }, 'body.protect'],
      [{ backup_retention: { prod: 3, PROD: 4 } }, 'body.backup_retention'],
    ] as const) {
      const res = await l.app.inject({ method: 'PUT', url: URL, payload: body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message.startsWith(field), res.json().error.message).toBe(true);
    }
    expect(readFileSync(l.configFile!, 'utf8')).toBe(before);
    expect((await l.app.inject({ method: 'GET', url: `${URL}/history` })).json()).toMatchObject({ changes: [], total: 0 });
    expect(l.config.current().policy.ages.logs).toBe(30);
  });

  it('never takes root, paths or tables over HTTP', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE, file: YEARLY });
    for (const body of [{ root: '/' }, { paths: { temp: ['backups'] } }, { tables: { tasks: { table: 'users' } } }]) {
      const res = await l.app.inject({ method: 'PUT', url: URL, payload: body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/unknown field/);
    }
    expect(l.config.current().paths.temp).toEqual(['tmp', 'cache']);
    expect(l.config.current().root).toBe(l.root);
  });

  it('never takes the backup archive target or its policy over HTTP (an edit could send every backup elsewhere)', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE, file: YEARLY });
    const target = { type: 's3', bucket: 'elsewhere', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' };
    for (const body of [{ backup_archive: { target } }, { archive_policy: { default: { keep_last: 1 } } }]) {
      const res = await l.app.inject({ method: 'PUT', url: URL, payload: body });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.message).toMatch(/unknown field/);
    }
    expect(l.config.current().backupArchive).toBeNull();
  });

  it('saves to the config file (keeping its root and paths), applies at once, re-arms the schedule and records the change', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE, file: { ...YEARLY, paths: { temp: ['tmp'] }, log_age_days: 30 } });
    const log = writeFileAt(l.root, 'logs/twenty-days.log', Date.now() - 20 * DAY);
    l.scheduler.start();
    const nextBefore = l.scheduler.nextRun()?.toISOString();
    const res = await l.app.inject({ method: 'PUT', url: URL, payload: { log_age_days: 10, schedule: '30 4 1 1 *', timezone: 'UTC' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().changes).toEqual([
      { field: 'log_age_days', from: 30, to: 10 },
      { field: 'schedule', from: '0 3 1 1 *', to: '30 4 1 1 *' },
    ]);
    const file = JSON.parse(readFileSync(l.configFile!, 'utf8'));
    expect(file).toEqual({ paths: { temp: ['tmp'] }, log_age_days: 10, schedule: '30 4 1 1 *', timezone: 'UTC' });
    // Re-armed: the next tick is 04:30 on 1 January, not 03:00.
    expect(nextBefore).toMatch(/-01-01T03:00:00/);
    expect(l.scheduler.nextRun()?.toISOString()).toMatch(/-01-01T04:30:00/);
    const status = (await l.app.inject({ method: 'GET', url: '/api/system/cleanup/status' })).json();
    expect(status).toMatchObject({ schedule: '30 4 1 1 *', timezone: 'UTC' });
    // Applied without a restart: a real run now removes the 20-day-old log.
    const run = (await l.app.inject({ method: 'POST', url: '/api/system/cleanup', payload: { dry_run: false, categories: ['logs'] } })).json();
    expect(run.stats.logs_deleted).toBe(1);
    expect(existsSync(log)).toBe(false);
    const history = (await l.app.inject({ method: 'GET', url: `${URL}/history` })).json();
    expect(history).toMatchObject({ total: 1, changes: [{ actor: 'local', remote: '127.0.0.1', persisted_to: 'file' }] });
    expect(history.changes[0].changes).toEqual(res.json().changes);
  });

  it('without a config file, saves to the state database, which the next start applies', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE });
    const res = await l.app.inject({ method: 'PUT', url: URL, payload: { ...YEARLY, task_age_days: 2 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ persisted_to: 'state', config_file: null, config: { task_age_days: 2 } });
    const saved = createConfigStore(l.store.database()).saved();
    expect(saved?.data).toMatchObject({ task_age_days: 2, schedule: '0 3 1 1 *' });
    // What server.ts does at start: the saved configuration over the (absent) file.
    expect(loadSettings({ env: {}, root: l.root, overlay: saved?.data }).policy.ages.tasks).toBe(2);
  });

  it('keeps a config file that is a symbolic link as it is and saves to the state database', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE, file: YEARLY });
    const real = `${l.configFile}.real`;
    writeFileSync(real, JSON.stringify(YEARLY));
    const { rmSync } = await import('node:fs');
    rmSync(l.configFile!);
    symlinkSync(real, l.configFile!);
    const res = await l.app.inject({ method: 'PUT', url: URL, payload: { ...YEARLY, error_age_days: 3 } });
    expect(res.statusCode).toBe(200);
    expect(res.json().persisted_to).toBe('state');
    expect(JSON.parse(readFileSync(real, 'utf8'))).toEqual(YEARLY);
    expect(l.config.current().policy.ages.errors).toBe(3);
  });

  it('refuses to change a setting the environment holds, and accepts it unchanged', async () => {
    const l = await makeLiveApp({ env: { ...DRY_SCHEDULE, CLEANUP_SCHEDULE: 'off' } });
    const view = (await l.app.inject({ method: 'GET', url: URL })).json();
    expect(view.env_overrides).toEqual({ schedule: 'CLEANUP_SCHEDULE' });
    const refused = await l.app.inject({ method: 'PUT', url: URL, payload: { schedule: '0 * * * *' } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.message).toMatch(/^body\.schedule is set by the environment variable CLEANUP_SCHEDULE/);
    const same = await l.app.inject({ method: 'PUT', url: URL, payload: { ...view.config, log_age_days: 9 } });
    expect(same.statusCode).toBe(200);
    expect(same.json().changes).toEqual([{ field: 'log_age_days', from: 30, to: 9 }]);
    expect(createConfigStore(l.store.database()).saved()?.data).not.toHaveProperty('schedule');
  });

  it('with preview=true saves nothing and compares dry runs with the current and the new settings', async () => {
    const l = await makeLiveApp({ env: DRY_SCHEDULE, file: YEARLY });
    const logs = [writeFileAt(l.root, 'logs/a.log', Date.now() - 20 * DAY), writeFileAt(l.root, 'logs/b.log', Date.now() - 40 * DAY)];
    const res = await l.app.inject({ method: 'PUT', url: `${URL}?preview=true`, payload: { ...YEARLY, log_age_days: 10 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      preview: true,
      removes_more: true,
      changes: [{ field: 'log_age_days', from: 30, to: 10 }],
      current: { stats: { logs_deleted: 1 } },
      proposed: { stats: { logs_deleted: 2 } },
      last_real: null,
    });
    for (const f of logs) expect(existsSync(f)).toBe(true);
    expect(JSON.parse(readFileSync(l.configFile!, 'utf8'))).toEqual(YEARLY);
    expect(l.config.current().policy.ages.logs).toBe(30);
  });
});
