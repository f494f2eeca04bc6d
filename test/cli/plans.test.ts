/**
 * `--apply PLAN_ID` and `--allow-large` (issues 14 and 15) through the real built executable:
 * a dry run prints its plan, applying it removes exactly that, two processes applying one plan
 * at once apply it once, and a run the brake refuses exits 4 saying `refused`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { runCli } from './cli-helpers.js';

/** Two logs 90 days old (a usual run) and 38 between 2 and 19 days old. */
function seedLogs(): string {
  const root = makeTempDir('cw-cli-plans-');
  const now = Date.now();
  writeFileAt(root, 'logs/old-1.log', now - 90 * DAY, 'x'.repeat(100));
  writeFileAt(root, 'logs/old-2.log', now - 90 * DAY, 'x'.repeat(100));
  for (let i = 0; i < 38; i++) writeFileAt(root, `logs/app-${i}.log`, now - (2 + (i % 18)) * DAY, 'y');
  return root;
}

const logs = (root: string) => readdirSync(path.join(root, 'logs')).filter((n) => n.endsWith('.log') && n !== 'cleanup_worker.log');
const planOf = (stdout: string) => /^Plan (\S+): cleanup-worker --apply \1 removes exactly these items \(within 60 minutes\)\.$/m.exec(stdout)?.[1];

describe('cleanup-worker --apply', () => {
  it('prints the plan of a dry run, and --apply removes exactly its items', async () => {
    const root = seedLogs();
    const dry = await runCli(['--root', root]);
    expect(dry.code).toBe(0);
    const plan = planOf(dry.stdout);
    expect(plan).toMatch(/^[0-9a-f-]{36}$/);
    writeFileAt(root, 'logs/late.log', Date.now() - 90 * DAY, 'late'); // qualifies only since the plan
    const applied = await runCli(['--root', root, '--apply', plan as string, '--json']);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({ dry_run: false, applied_plan_id: plan, items_total: 2, stats: { logs_deleted: 2 } });
    expect(logs(root)).toContain('late.log');
    expect(logs(root)).not.toContain('old-1.log');
    const again = await runCli(['--root', root, '--apply', plan as string]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^cleanup-worker: plan \S+ was already applied \(run \S+\); a plan is applied once: make a new dry run\n$/);
  });

  it('two processes applying one plan at once: one applies it, the other says it was applied', async () => {
    const root = seedLogs();
    const plan = planOf((await runCli(['--root', root])).stdout) as string;
    const [a, b] = await Promise.all([runCli(['--root', root, '--apply', plan]), runCli(['--root', root, '--apply', plan])]);
    expect([a.code, b.code].sort()).toEqual([0, 1]);
    const loser = a.code === 1 ? a : b;
    expect(loser.stderr).toMatch(/was already applied/);
    expect(logs(root)).toHaveLength(38);
  });

  it('refuses flags that make no sense with a plan, and an unknown plan', async () => {
    const root = seedLogs();
    expect(await runCli(['--root', root, '--apply', 'x', '--dry-run'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--apply carries out a plan (a real run): drop --dry-run') });
    expect(await runCli(['--root', root, '--apply', 'x', '--days', '3'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--apply and --days cannot be used together') });
    expect(await runCli(['--root', root, '--allow-large'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--allow-large confirms a real run: add --force') });
    expect(await runCli(['--root', root, '--apply', 'nope'])).toMatchObject({ code: 1, stderr: expect.stringContaining('no plan nope') });
    expect(logs(root)).toHaveLength(40);
  });
});

describe('cleanup-worker and the brake', () => {
  it('exits 4 saying refused, deletes nothing, and goes ahead with --force --allow-large', async () => {
    const root = seedLogs();
    expect((await runCli(['--root', root, '--force'])).code).toBe(0);
    const refused = await runCli(['--root', root, '--force', '--days', '1']);
    expect(refused.code).toBe(4);
    expect(refused.stdout).toMatch(/^Cleanup refused: nothing was deleted\.\n/);
    expect(refused.stdout).toContain('  Logs to delete: 38');
    expect(refused.stderr).toMatch(/^cleanup-worker: refused: logs: 38 items .* planned, more than 2 × the largest of the last 1 real cli run/);
    expect(logs(root)).toHaveLength(38);
    const plan = /cleanup-worker --apply (\S+) \(exactly these items\)/.exec(refused.stdout)?.[1];
    expect(plan).toBeDefined();
    const json = await runCli(['--root', root, '--force', '--days', '1', '--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'refused', success: false });
    const confirmed = await runCli(['--root', root, '--force', '--days', '1', '--allow-large']);
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('Logs deleted: 38');
    expect(logs(root)).toHaveLength(0);
    expect(existsSync(path.join(root, 'logs'))).toBe(true);
  });
});
