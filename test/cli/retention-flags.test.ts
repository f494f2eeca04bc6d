/**
 * The retention flags of the real CLI (SPEC 8: --keep-daily, --keep-weekly, --keep-monthly,
 * --keep-yearly, --keep-within, --explain): bad values exit 2 with one line and change nothing;
 * good ones apply to every environment like --keep, and --explain shows why each backup stays.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { buildFixture, cliEnv, listTree, runCli, stamp } from './cli-helpers.js';

const now = Date.now();

const BAD: [string, string[], RegExp][] = [
  ['--keep-daily -1', ['--keep-daily', '-1'], /--keep-daily must be an integer >= 0 \(got -1\); see --help$/],
  ['--keep-daily abc', ['--keep-daily', 'abc'], /--keep-daily must be an integer >= 0 \(got abc\)/],
  ['--keep-weekly 1.5', ['--keep-weekly', '1.5'], /--keep-weekly must be an integer >= 0 \(got 1\.5\)/],
  ['--keep-monthly over the maximum', ['--keep-monthly', '10001'], /--keep-monthly must be an integer <= 10000/],
  ['--keep-yearly twice', ['--keep-yearly', '1', '--keep-yearly', '2'], /--keep-yearly was given 2 times/],
  ['--keep-within 14x', ['--keep-within', '14x'], /--keep-within must be a duration: integers with units y, m, w, d, h in that order \(e\.g\. "14d", "6h", "1y2m"\) \(got 14x\)/],
  ['--keep-within 2m1y', ['--keep-within', '2m1y'], /--keep-within must be a duration/],
  ['--keep-within -1d', ['--keep-within', '-1d'], /--keep-within must be a duration/],
  ['--keep-within without a value', ['--keep-within'], /--keep-within needs a value \(e\.g\. --keep-within 14d\)/],
  ['--explain with a value', ['--explain=yes'], /--explain takes no value/],
  ['--status --keep-daily', ['--status', '--keep-daily', '3'], /--status and --keep-daily cannot be used together/],
  ['--stop --explain', ['--stop', '--explain'], /--stop and --explain cannot be used together/],
];

describe('retention flags', () => {
  it.each(BAD)('%s: exit 2, one line, nothing deleted', async (_name, args, message) => {
    const root = makeTempDir('cw-flags-');
    buildFixture(root, now);
    const before = listTree(root);
    const r = await runCli(['--force', ...args, '--root', root].filter((a) => !(args.includes('--status') || args.includes('--stop')) || a !== '--force'));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(listTree(root)).toEqual(before);
  });

  it('refuses a config file whose backup_policy has a bad rule, naming it', async () => {
    const root = makeTempDir('cw-flags-');
    const cfg = path.join(makeTempDir('cw-cfg-'), 'c.json');
    writeFileAt(path.dirname(cfg), 'c.json', now, JSON.stringify({ backup_policy: { prod: { keep_last: 0 } } }));
    const r = await runCli(['--force', '--root', root, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backup_policy\.prod\.keep_last must be integer to be greater or equal to 1/);
  });

  it('--keep-daily 3 --explain: a dry run lists every kept backup with the rules that keep it, and deletes nothing', async () => {
    const root = makeTempDir('cw-flags-');
    buildFixture(root, now);
    const before = listTree(root);
    const r = await runCli(['--root', root, '--keep', '1', '--keep-daily', '3', '--explain'], { env: cliEnv({ CLEANUP_TZ: 'UTC' }) });
    expect(r.code).toBe(0);
    expect(listTree(root, ['.cleanup', 'logs/cleanup_worker.log'])).toEqual(before.filter((l) => !l.startsWith('.cleanup')));
    const newestProd = `backups/prod/architect_${stamp(now - DAY)}.db`;
    expect(r.stdout).toContain('Kept by the retention policy (6):');
    expect(r.stdout).toContain(`  ${newestProd}: kept: last #1, daily #1`);
    expect(r.stdout).toContain(`  backups/prod/architect_${stamp(now - 3 * DAY)}.db: kept: daily #3`);
    expect(r.stdout).toContain(`  backups/prod/architect_${stamp(now - 4 * DAY)}.db (1.0 MB): removed: not kept by any rule (last 1, daily 3)`);
    expect(r.stdout).toMatch(/also every environment: keep one per day for the latest 3 days with a backup/);
    // --explain lists every backup to remove, not the first ten.
    expect(r.stdout).not.toMatch(/… and \d+ more/);
  });

  it('without --explain a dry run counts what the policy keeps and says how to see why', async () => {
    const root = makeTempDir('cw-flags-');
    buildFixture(root, now);
    const r = await runCli(['--root', root]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Kept by the retention policy: 13 (--explain lists each with its reasons)');
  });

  it('--force --keep-within 5d --keep 1: keeps the backups within 5 days of the newest in every environment, and --json carries kept', async () => {
    const root = makeTempDir('cw-flags-');
    buildFixture(root, now);
    const r = await runCli(['--root', root, '--force', '--json', '--keep', '1', '--keep-within', '5d'], { env: cliEnv({ CLEANUP_TZ: 'UTC' }) });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout);
    // prod: days 1..5 (day 6 is exactly 5 days before the newest: not within); qa: all 3.
    expect(readdirSync(path.join(root, 'backups/prod')).sort()).toEqual([5, 4, 3, 2, 1].map((d) => `architect_${stamp(now - d * DAY)}.db`));
    expect(readdirSync(path.join(root, 'backups/qa'))).toHaveLength(3);
    expect(result.kept_total).toBe(8);
    expect(result.kept).toContainEqual({ category: 'backups', target: `backups/qa/architect_${stamp(now - 3 * DAY)}.db`, reason: 'kept: within 5d of the newest' });
    expect(result.stats.backups_deleted).toBe(7);
  });
});
