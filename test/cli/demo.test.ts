/**
 * `npm run demo` (the built scripts/demo.js): the demo root comes with a config file holding a
 * GFS backup_policy and a local archive target, the preview command it prints works and shows
 * backups archived with the rules behind them, and the demo still refuses a folder it did not make.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../src/domain/types.js';
import { makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { cliEnv, listTree, runCli } from './cli-helpers.js';

const DEMO = path.resolve('dist/scripts/demo.js');

function demo(dir: string) {
  return spawnSync(process.execPath, [DEMO, dir], { encoding: 'utf8', env: cliEnv() });
}

describe('npm run demo', () => {
  it('writes a config with a GFS policy and a local archive target, and prints a preview command that shows them at work', async () => {
    const root = path.join(makeTempDir('cw-demo-'), 'data');
    const made = demo(root);
    expect(made.status).toBe(0);
    const preview = /^\s+node dist\/src\/cli\/bin\.js (--root \S+ --config \S+ --explain)$/m.exec(made.stdout);
    expect(preview?.[1]).toBe(`--root ${root} --config ${path.join(root, 'cleanup-demo.config.json')} --explain`);
    const before = listTree(root, ['.cleanup', 'logs/cleanup_worker.log']);

    const args = (preview?.[1] ?? '').split(' ');
    const text = await runCli(args);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/kept: last #1, daily #1, weekly #1/);
    expect(text.stdout).toMatch(/weekly #4/);
    expect(text.stdout).toMatch(/removed: not kept by any rule \(last 3, daily 7, weekly 4\); archived to archive\/backups\/prod\/architect_\d{8}_\d{6}\.db\.gz/);

    const json = await runCli([...args, '--json']);
    const result = JSON.parse(json.stdout) as RunResult;
    expect(result.dry_run).toBe(true);
    const prod = result.items.filter((i) => i.category === 'backups' && i.target.startsWith('backups/prod/'));
    expect(prod.length).toBeGreaterThan(40);
    expect(prod.every((i) => i.action === 'archive')).toBe(true);
    expect(result.kept.filter((k) => k.target.startsWith('backups/prod/')).length).toBeGreaterThanOrEqual(7);
    // The preview changed nothing (beyond the run's own history and log line).
    expect(listTree(root, ['.cleanup', 'logs/cleanup_worker.log'])).toEqual(before);
  });

  it('still refuses a non-empty folder it did not make, and writes nothing there', () => {
    const root = makeTempDir('cw-demo-foreign-');
    writeFileAt(root, 'precious.txt', Date.now(), 'mine');
    const refused = demo(root);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/is not empty and was not made by the demo/);
    expect(readdirSync(root)).toEqual(['precious.txt']);
  });
});
