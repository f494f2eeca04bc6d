/**
 * Backup retention end to end on real files (issue 12 section 1): the engine with a real state
 * store applies backup_policy per environment, deletes what no rule keeps, reports every kept
 * backup with its reasons in the result and the run history, cuts days in CLEANUP_TZ, and
 * re-plans with the same policy right before deleting.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsHandler } from '../../src/engine/categories/backups.js';
import { createEngine } from '../../src/engine/engine.js';
import { openStateStore } from '../../src/store/state-store.js';
import { runHandler } from '../helpers/fs-fixtures.js';
import { silentLogger } from '../helpers/run-context.js';
import { DAY, HOUR, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');

/** Backups in backups/<env>/ at the given instants (names hold the timestamp); returns names newest first. */
function writeBackups(root: string, env: string, instants: number[]): string[] {
  const names = instants.sort((a, b) => b - a).map((t) => `architect_${stamp(t)}.db`);
  for (const n of names) writeFileAt(root, `backups/${env}/${n}`, NOW - 400 * DAY, 'backup');
  return names;
}

/** 30 days of backups at 00:00, 06:00, 12:00 and 18:00 UTC, the newest on 2026-02-07 18:00. */
function fourADay(): number[] {
  const last = Date.parse('2026-02-07T18:00:00Z');
  return Array.from({ length: 120 }, (_, i) => last - i * 6 * HOUR);
}

const left = (root: string, env: string) => readdirSync(path.join(root, 'backups', env)).sort().reverse();

describe('backup_policy over real files', () => {
  it('keep_daily 7 over 30 days of 4-a-day prod backups keeps the 10 newest and the newest of 7 days, deletes the other 106, and says why', async () => {
    const root = makeTempDir();
    const names = writeBackups(root, 'prod', fourADay());
    const settings = settingsFor(root, { CLEANUP_TZ: 'UTC' });
    const store = openStateStore(settings);
    const engine = createEngine({ settings, store, logger: silentLogger });
    const r = await engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, overrides: { categories: ['backups'], backup_policy: { prod: { keep_daily: 7 } } } });

    // keep_last 10 (prod's backup_retention) keeps 7 Feb (4), 6 Feb (4) and two of 5 Feb; daily 7 adds 18:00 of 4..1 Feb.
    const daily = ['20260204_180000', '20260203_180000', '20260202_180000', '20260201_180000'].map((s) => `architect_${s}.db`);
    const kept = [...names.slice(0, 10), ...daily];
    expect(left(root, 'prod')).toEqual(kept);
    expect(r.stats.backups_deleted).toBe(106);
    expect(new Set(r.items.map((i) => i.reason))).toEqual(new Set(['removed: not kept by any rule (last 10, daily 7)']));
    expect(r.kept_total).toBe(14);
    expect(r.kept.map((k) => [k.target, k.reason])).toEqual([
      [`backups/prod/${names[0]}`, 'kept: last #1, daily #1'],
      [`backups/prod/${names[1]}`, 'kept: last #2'],
      [`backups/prod/${names[2]}`, 'kept: last #3'],
      [`backups/prod/${names[3]}`, 'kept: last #4'],
      [`backups/prod/${names[4]}`, 'kept: last #5, daily #2'],
      [`backups/prod/${names[5]}`, 'kept: last #6'],
      [`backups/prod/${names[6]}`, 'kept: last #7'],
      [`backups/prod/${names[7]}`, 'kept: last #8'],
      [`backups/prod/${names[8]}`, 'kept: last #9, daily #3'],
      [`backups/prod/${names[9]}`, 'kept: last #10'],
      ...daily.map((n, i) => [`backups/prod/${n}`, `kept: daily #${i + 4}`]),
    ]);
    // The run history keeps the same list, and the policy it applied.
    const run = store.getRun(r.run_id);
    expect(run?.kept).toEqual(r.kept);
    expect(run?.kept_total).toBe(14);
    expect((run?.settings as { policy?: { backupPolicy?: unknown } } | undefined)?.policy?.backupPolicy).toEqual({ prod: { keep_daily: 7 } });
    store.close();
  });

  it('a dry run reports exactly what the real run then deletes, and the same kept list', async () => {
    const root = makeTempDir();
    writeBackups(root, 'qa', fourADay());
    const settings = settingsFor(root, { CLEANUP_TZ: 'UTC' });
    const store = openStateStore(settings);
    const engine = createEngine({ settings, store, logger: silentLogger });
    const overrides = { categories: ['backups' as const], backup_policy: { default: { keep_weekly: 3, keep_within: '1d' } } };
    const dry = await engine.runOnce({ trigger: 'api', dryRun: true, now: NOW, overrides });
    expect(left(root, 'qa')).toHaveLength(120);
    const real = await engine.runOnce({ trigger: 'api', dryRun: false, now: NOW, overrides });
    expect(real.items.map((i) => i.target).sort()).toEqual(dry.items.map((i) => i.target).sort());
    expect(real.kept).toEqual(dry.kept);
    // qa keeps its 5 newest, everything within a day of the newest (18:00 back to 6 Feb 18:00, exclusive), and Sundays 1 Feb and 25 Jan.
    expect(left(root, 'qa')).toEqual(['20260207_180000', '20260207_120000', '20260207_060000', '20260207_000000', '20260206_180000', '20260201_180000', '20260125_180000'].map((s) => `architect_${s}.db`));
    expect(real.kept.find((k) => k.target.endsWith('20260207_000000.db'))?.reason).toBe('kept: last #4, within 1d of the newest');
    expect(real.kept.find((k) => k.target.endsWith('20260125_180000.db'))?.reason).toBe('kept: weekly #3');
    store.close();
  });

  it('cuts days in CLEANUP_TZ: backups at 21:00 and 23:30 UTC fall on one Berlin day, two UTC days', async () => {
    const instants = Array.from({ length: 6 }, (_, i) => [Date.parse('2026-01-20T21:00:00Z') - i * DAY, Date.parse('2026-01-20T23:30:00Z') - i * DAY]).flat();
    const keptIn = async (tz: string) => {
      const root = makeTempDir();
      writeBackups(root, 'dev', instants);
      const out = await runHandler(backupsHandler, settingsFor(root, { CLEANUP_TZ: tz }), { overrides: { backup_retention: 1, backup_policy: { dev: { keep_daily: 3 } } } });
      expect(out.errors).toEqual([]);
      return left(root, 'dev');
    };
    // UTC: each day's newest is 23:30. Berlin (UTC+1): 23:30 UTC is 00:30 the next day, so each Berlin day's newest is 21:00 UTC (22:00).
    expect(await keptIn('UTC')).toEqual(['architect_20260120_233000.db', 'architect_20260119_233000.db', 'architect_20260118_233000.db']);
    expect(await keptIn('Europe/Berlin')).toEqual(['architect_20260120_233000.db', 'architect_20260120_210000.db', 'architect_20260119_210000.db']);
  });

  it('re-plans with the same policy before deleting: a backup that became the newest of its day is kept', async () => {
    const root = makeTempDir();
    const names = writeBackups(root, 'prod', fourADay());
    const settings = settingsFor(root, { CLEANUP_TZ: 'UTC' });
    const gone = path.join(root, 'backups/prod/architect_20260203_180000.db'); // daily #5
    const out = await runHandler(backupsHandler, settings, {
      overrides: { backup_policy: { prod: { keep_daily: 7 } } },
      beforeExecute: () => rmSync(gone),
    });
    // 3 Feb 12:00 was planned for deletion; with 18:00 gone it is now the newest of its day.
    expect(existsSync(path.join(root, 'backups/prod/architect_20260203_120000.db'))).toBe(true);
    expect(out.skipped).toContainEqual({ category: 'backups', target: 'backups/prod/architect_20260203_120000.db', reason: 'changed since it was planned (now kept: daily #5)' });
    expect(left(root, 'prod')).toHaveLength(14);
    expect(names).toHaveLength(120);
  });

  it('keeps the old reason texts when only keep_last is on', async () => {
    const root = makeTempDir();
    writeBackups(root, 'test', fourADay().slice(0, 5));
    const out = await runHandler(backupsHandler, settingsFor(root));
    expect(out.items.map((i) => i.reason)).toEqual(['older than the 3 most recent test backups', 'older than the 3 most recent test backups']);
  });
});
