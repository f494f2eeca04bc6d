/**
 * Bad flags and bad configuration: exit 2, one line on stderr naming the problem and the fix,
 * nothing on stdout, nothing deleted (each case also carries --force where it can).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { buildFixture, cliEnv, listTree, runCli } from './cli-helpers.js';

const now = Date.now();

const USAGE_CASES: [string, string[], RegExp][] = [
  ['--keep 0', ['--force', '--keep', '0'], /--keep must be an integer >= 1 \(got 0\); see --help$/],
  ['--keep -1', ['--force', '--keep', '-1'], /--keep must be an integer >= 1 \(got -1\); see --help$/],
  ['--keep above the maximum', ['--force', '--keep', '10001'], /--keep must be an integer <= 10000 \(got 10001\)/],
  ['--days abc', ['--force', '--days', 'abc'], /--days must be an integer >= 1 \(got abc\)/],
  ['--days 1.5', ['--force', '--days', '1.5'], /--days must be an integer >= 1 \(got 1\.5\)/],
  ['--days 1e3', ['--force', '--days', '1e3'], /--days must be an integer >= 1 \(got 1e3\)/],
  ['--days without a value', ['--force', '--days'], /--days needs a value/],
  ['--days given twice', ['--force', '--days', '3', '--days', '4'], /--days was given 2 times/],
  ['an unknown flag', ['--force', '--frobnicate'], /unknown option --frobnicate; see --help$/],
  ['a positional argument', ['--force', 'now'], /unexpected argument "now"/],
  ['--force with a value', ['--force=yes'], /--force takes no value/],
  ['--dry-run --force', ['--dry-run', '--force'], /--dry-run and --force cannot be used together/],
  ['--status --force', ['--status', '--force'], /--status and --force cannot be used together/],
  ['--daemon --stop', ['--daemon', '--stop'], /--daemon and --stop cannot be used together/],
  ['--stop --keep', ['--stop', '--keep', '3'], /--stop and --keep cannot be used together/],
  ['an empty --root', ['--force', '--root='], /--root needs a DIR/],
];

describe('cleanup-worker usage errors', () => {
  it.each(USAGE_CASES)('%s: exit 2, one line, nothing deleted', async (_name, args, message) => {
    const root = makeTempDir('cw-usage-');
    buildFixture(root, now);
    const before = listTree(root);
    const r = await runCli([...args, ...(args.includes('--root=') ? [] : ['--root', root])]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr.startsWith('cleanup-worker: ')).toBe(true);
    expect(r.stderr.trimEnd()).toMatch(message);
    // Not even the state database or the log file is created.
    expect(listTree(root)).toEqual(before);
  });

  it('refuses an invalid config file with its one line', async () => {
    const root = makeTempDir('cw-usage-');
    buildFixture(root, now);
    const before = listTree(root);
    const cfgDir = makeTempDir('cw-cfg-');
    writeFileAt(cfgDir, 'bad.json', now, JSON.stringify({ log_age_days: 0 }));
    writeFileAt(cfgDir, 'unknown.json', now, JSON.stringify({ keep: 3 }));
    for (const [file, message] of [
      ['bad.json', /log_age_days/],
      ['unknown.json', /unknown field "keep"/],
      ['missing.json', /cannot be read/],
    ] as const) {
      const r = await runCli(['--force', '--root', root, '--config', path.join(cfgDir, file)]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(listTree(root)).toEqual(before);
  });

  it('refuses an invalid environment (PORT) with exit 2', async () => {
    const root = makeTempDir('cw-usage-');
    const r = await runCli(['--force', '--root', root], { env: cliEnv({ PORT: 'eighty' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cleanup-worker: PORT must be an integer from 0 to 65535 (got "eighty")\n');
  });

  it('--help prints the usage and exits 0; --version prints package.json version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: cleanup-worker \[options\]/);
    for (const flag of ['--dry-run', '--force', '--days N', '--keep N', '--daemon', '--status', '--stop', '--root DIR', '--config FILE', '--json']) {
      expect(help.stdout).toContain(flag);
    }
    // The backup lifecycle (issue 12): the config keys and the restore command.
    for (const text of ['backup_policy', 'keep_daily', 'keep_within', 'backup_archive', 'archive_policy', 'restore <env>/<name> [--to DIR]']) {
      expect(help.stdout).toContain(text);
    }
    expect(help.stdout).toMatch(/backup_archive[^\n]*\n?[^\n]*config file only/);
    const version = await runCli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  });
});
