/** `cleanup-worker restore --run RUN_ID` (issue 15) as a real child process (run `npm run build` first). */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { rowsOf, runWith, trashRoot, trashSettings } from '../helpers/trash-fixtures.js';
import { runCli } from './cli-helpers.js';

const config = () => writeConfig({ trash: { keep_hours: 72 } });

describe('cleanup-worker restore --run', () => {
  it('puts a run back, prints what came back, and records a cli restore run', async () => {
    const { root, db } = trashRoot();
    const cleaned = await runWith(trashSettings(root));
    const r = await runCli(['restore', '--run', cleaned.run_id, '--root', root, '--config', config()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Restored 6 items from the trash of run ${cleaned.run_id} \\(restore run [0-9a-f-]+\\):\\n`));
    expect(r.stdout).toContain('  logs/app/old-b.log (8 B)\n');
    expect(r.stdout).toContain('  architect.db:task_queue#2\n');
    expect(readFileSync(path.join(root, 'logs/old-a.log'), 'utf8')).toBe('aaaa');
    expect(rowsOf(db, 'task_queue').size).toBe(4);
    const again = await runCli(['restore', '--run', cleaned.run_id, '--root', root, '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ trigger: 'cli', dry_run: false, items_total: 0, warnings: [expect.stringMatching(/nothing in the trash of run/)] });
  });

  it('exits 1 and names each conflict when a file took an item’s place; --category and --target pick what comes back', async () => {
    const { root } = trashRoot();
    const cleaned = await runWith(trashSettings(root));
    writeFileSync(path.join(root, 'logs/old-a.log'), 'new');
    const r = await runCli(['restore', '--run', cleaned.run_id, '--category', 'logs', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Restored 1 item from the trash/);
    expect(r.stderr).toContain('cleanup-worker: error: logs logs/old-a.log: not restored: logs/old-a.log already exists (never overwritten)');
    expect(readFileSync(path.join(root, 'logs/old-a.log'), 'utf8')).toBe('new');
    expect(existsSync(path.join(root, 'tmp/job/old.tmp'))).toBe(false);
    const t = await runCli(['restore', '--run', cleaned.run_id, '--target', 'tmp/job', '--root', root]);
    expect(t.code).toBe(0);
    expect(existsSync(path.join(root, 'tmp/job/old.tmp'))).toBe(true);
  });

  it('usage errors exit 2 with one line and change nothing', async () => {
    const { root } = trashRoot();
    const cleaned = await runWith(trashSettings(root));
    const cases: Array<[string[], RegExp]> = [
      [['restore', '--run', '../..', '--root', root], /run id must be a run id .*got "\.\.\/\.\."/],
      [['restore', '--run', 'no-such-run', '--root', root], /run no-such-run not found/],
      [['restore', '--run', cleaned.run_id, '--category', 'sessions', '--root', root], /--category must be one of/],
      [['restore', '--run', cleaned.run_id, 'prod/x.db', '--root', root], /restore --run takes no <env>\/<name>/],
      [['restore', '--category', 'logs', '--root', root], /--category and --target go with --run/],
      [['restore', '--run', cleaned.run_id, '--to', '/tmp', '--root', root], /--to goes with restore <env>\/<name>/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(false);
  });

  it('--help shows restore --run', async () => {
    const r = await runCli(['--help']);
    expect(r.stdout).toContain('restore --run RUN_ID [--category C] [--target PATH]...');
  });
});
