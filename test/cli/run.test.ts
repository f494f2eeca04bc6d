/**
 * The CLI's cleanup runs, through the real built executable on fixture roots: the dry-run
 * default, the original summary block, --days/--keep, --json, and exit codes 0, 1 and 3.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStore, openStateStoreAt } from '../../src/store/state-store.js';
import { execSql, rowidsOf } from '../helpers/db-fixtures.js';
import { DAY, makeTempDir, settingsFor, writeFileAt } from '../helpers/temp-root.js';
import { buildFixture, cliEnv, FIXTURE_EXPECTED as E, listTree, runCli, SERVICE_OWN } from './cli-helpers.js';

const now = Date.now();

function fixtureRoot(): string {
  const root = makeTempDir('cw-cli-');
  buildFixture(root, now);
  return root;
}

const SUMMARY = (s: { b: number; l: number; t: number; e: number; p: number; tmp: number; mb: string }) =>
  [
    'Cleanup Summary:',
    `  Backups deleted: ${s.b}`,
    `  Logs deleted: ${s.l}`,
    `  Tasks deleted: ${s.t}`,
    `  Errors deleted: ${s.e}`,
    `  Prompts deleted: ${s.p}`,
    `  Temp files deleted: ${s.tmp}`,
    `  Space freed: ${s.mb} MB`,
    '',
  ].join('\n');

describe('cleanup-worker runs', () => {
  it('deletes nothing without --force and lists what it would remove, by category, with reasons and sizes', async () => {
    const root = fixtureRoot();
    const before = listTree(root, SERVICE_OWN);
    const r = await runCli(['--root', root]);
    expect(r.code).toBe(0);
    expect(listTree(root, SERVICE_OWN)).toEqual(before);
    expect(rowidsOf(path.join(root, 'architect.db'), 'task_queue')).toEqual([1, 2, 3, 4]);
    expect(existsSync(path.join(root, 'archive'))).toBe(false);
    expect(r.stdout).toContain('Dry run: nothing was deleted. Run with --force to delete.');
    expect(r.stdout).toMatch(/^Backups: 2 would be deleted \(2\.0 MB\)$/m);
    expect(r.stdout).toMatch(/^ {2}backups\/prod\/architect_\d{8}_\d{6}\.db \(1\.0 MB\): older than the 10 most recent prod backups$/m);
    expect(r.stdout).toMatch(/^ {2}logs\/app\.log \(10\.0 KB\): modified 90 days ago, limit 30 days$/m);
    expect(r.stdout).toMatch(/^Tasks: 2 would be deleted$/m);
    expect(r.stdout).toMatch(/^ {2}architect\.db:task_queue#1: finished 90 days ago, limit 7 days$/m);
    expect(r.stdout).toMatch(/^Prompts: 1 would be archived$/m);
    expect(r.stdout).toContain(`  Space to free: ${E.spaceMb} MB`);
    expect(r.stdout).not.toContain('Cleanup Summary:');
  });

  it('treats --dry-run like the default', async () => {
    const root = fixtureRoot();
    const before = listTree(root, SERVICE_OWN);
    const r = await runCli(['--dry-run', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing was deleted.');
    expect(listTree(root, SERVICE_OWN)).toEqual(before);
  });

  it('prints the original summary block line for line after a real run, and only that on stdout', async () => {
    const root = fixtureRoot();
    const r = await runCli(['--force', '--root', root]);
    // Issue 15: the first real run on a root is not braked, and says so (with what it removed).
    expect(r.stderr).toBe(`cleanup-worker: warning: first real run on this root: not braked (no earlier real run to compare it with); it removed 9 items, ${E.spaceMb} MB\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(SUMMARY({ b: E.backups, l: E.logs, t: E.tasks, e: E.errors, p: E.prompts, tmp: E.temp, mb: E.spaceMb }));
    const after = listTree(root, SERVICE_OWN);
    expect(after.filter((f) => f.startsWith('backups/prod/architect_'))).toHaveLength(10);
    expect(after.some((f) => f.startsWith('logs/app.log'))).toBe(false);
    expect(after.some((f) => f.startsWith('logs/recent.log'))).toBe(true);
    expect(after.some((f) => f.startsWith('sessions/s1.json'))).toBe(true);
    expect(rowidsOf(path.join(root, 'architect.db'), 'task_queue')).toEqual([3, 4]);
  });

  it('--keep N keeps N backups in every environment', async () => {
    const root = fixtureRoot();
    const r = await runCli(['--force', '--keep', '3', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  Backups deleted: 9\n');
    const after = listTree(root, SERVICE_OWN);
    expect(after.filter((f) => f.startsWith('backups/prod/architect_'))).toHaveLength(3);
    expect(after.filter((f) => f.startsWith('backups/qa/architect_'))).toHaveLength(3);
  });

  it('--days N sets the log, task and error ages but not the prompt age', async () => {
    const root = fixtureRoot();
    const r = await runCli(['--force', '--days', '100', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  Logs deleted: 0\n  Tasks deleted: 0\n  Errors deleted: 0\n  Prompts deleted: 1\n');
    expect(existsSync(path.join(root, 'logs/app.log'))).toBe(true);
  });

  it('--days=N (inline value) works too, and a lower limit removes more', async () => {
    const root = fixtureRoot();
    writeFileAt(root, 'logs/mid.log', now - 10 * DAY, 'mid');
    const r = await runCli(['--days=5', '--root', root, '--json']);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.stats.logs_deleted).toBe(3);
    expect(result.items.find((i: { target: string }) => i.target === 'logs/mid.log').reason).toBe('modified 10 days ago, limit 5 days');
  });

  it('--json prints exactly one JSON document with the engine result shape, recorded with trigger cli', async () => {
    const root = fixtureRoot();
    const r = await runCli(['--json', '--force', '--root', root]);
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(Object.keys(result).sort()).toEqual(
      ['dry_run', 'duration_ms', 'errors', 'finished_at', 'items', 'items_total', 'kept', 'kept_total', 'run_id', 'skipped', 'skipped_total', 'space_trashed_mb', 'started_at', 'stats', 'status', 'success', 'trigger', 'warnings'].sort(),
    );
    expect(result).toMatchObject({ success: true, dry_run: false, trigger: 'cli', status: 'succeeded', items_total: 9 });
    expect(result.stats).toEqual({
      backups_deleted: 2, logs_deleted: 2, tasks_deleted: 2, errors_deleted: 1, prompts_deleted: 1, temp_files_deleted: 1,
      space_freed_mb: Number(E.spaceMb),
    });
    const store = openStateStoreAt(path.join(root, '.cleanup/state.db'));
    try {
      expect(store.getRun(result.run_id)).toMatchObject({ trigger: 'cli', dry_run: false, status: 'succeeded' });
      expect(store.listItems(result.run_id, 100, 0).total).toBe(9);
    } finally {
      store.close();
    }
  });

  it('lists the first 10 per category and says how many more', async () => {
    const root = makeTempDir('cw-cli-');
    for (let i = 0; i < 30; i++) writeFileAt(root, `logs/old-${String(i).padStart(2, '0')}.log`, now - 40 * DAY, 'x');
    const r = await runCli(['--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Logs: 30 would be deleted/m);
    expect(r.stdout.match(/^ {2}logs\/old-\d\d\.log/gm)).toHaveLength(10);
    expect(r.stdout).toContain('  … and 20 more\n');
  });

  it('does not create a missing root: warns and exits 0 with zero counts', async () => {
    const parent = makeTempDir('cw-cli-');
    const root = path.join(parent, 'nope');
    const r = await runCli(['--force', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(SUMMARY({ b: 0, l: 0, t: 0, e: 0, p: 0, tmp: 0, mb: '0.00' }));
    expect(r.stderr).toContain(`cleanup-worker: warning: root ${root} does not exist`);
    expect(existsSync(root)).toBe(false);
    const j = await runCli(['--json', '--root', root]);
    expect(JSON.parse(j.stdout)).toMatchObject({ success: true, dry_run: true, items_total: 0, stats: { backups_deleted: 0 } });
    expect(existsSync(root)).toBe(false);
  });

  it('exits 1 when an item fails (the prompts archive is not a database), after the summary', async () => {
    const root = fixtureRoot();
    const db = path.join(root, 'architect.db');
    writeFileAt(root, 'archive/prompts.db', now, 'not a database, but long enough to have a header of one');
    const r = await runCli(['--force', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Cleanup Summary:\n {2}Backups deleted: 2\n/);
    expect(r.stdout).toContain('  Prompts deleted: 0\n');
    expect(r.stderr).toMatch(/^cleanup-worker: error: prompts archive\/prompts\.db: .*file is not a database/m);
    expect(rowidsOf(db, 'assigner_prompts')).toEqual([1, 2]);
  });

  it('exits 0 with a warning, the table untouched, when a DELETE trigger on it could change other tables', async () => {
    const root = fixtureRoot();
    const db = path.join(root, 'architect.db');
    execSql(db, `CREATE TRIGGER keep_tasks BEFORE DELETE ON task_queue BEGIN SELECT RAISE(ABORT, 'tasks are read-only'); END`);
    const r = await runCli(['--force', '--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  Tasks deleted: 0\n');
    expect(r.stdout + r.stderr).toContain('tasks: table task_queue has a DELETE trigger keep_tasks that could change other tables; tasks skipped');
    expect(rowidsOf(db, 'task_queue')).toEqual([1, 2, 3, 4]);
  });

  it('exits 3 naming the running run while another process holds the lock, deleting nothing', async () => {
    const root = fixtureRoot();
    const before = listTree(root, SERVICE_OWN);
    const store = openStateStore(settingsFor(root));
    try {
      const runId = store.startRun({ trigger: 'api', dryRun: false, settings: {} });
      const r = await runCli(['--force', '--root', root]);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`cleanup-worker: another cleanup is running (run ${runId}, pid ${process.pid}); try again later\n`);
      expect(listTree(root, SERVICE_OWN)).toEqual(before);
      store.finishRun(runId, {
        status: 'succeeded', finishedAt: new Date().toISOString(), itemsTotal: 0, skippedTotal: 0, errorsTotal: 0,
        warnings: [], skipped: [], errors: [],
        stats: { backups_deleted: 0, logs_deleted: 0, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 0 },
      });
    } finally {
      store.close();
    }
  });

  it('reads the root from ARCHITECT_HOME and the policy from the config file', async () => {
    const root = fixtureRoot();
    const cfg = path.join(makeTempDir('cw-cfg-'), 'cleanup.json');
    writeFileAt(path.dirname(cfg), 'cleanup.json', now, JSON.stringify({ backup_retention: { prod: 11 } }));
    const r = await runCli(['--force', '--config', cfg], { env: cliEnv({ ARCHITECT_HOME: root }) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  Backups deleted: 1\n');
    expect(readFileSync(path.join(root, 'logs/cleanup_worker.log'), 'utf8')).toContain('"trigger":"cli"');
  });
});
