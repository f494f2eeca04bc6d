/**
 * archive_policy with the whole restic-style rule set (issue 12 section 2, "the same rule set"),
 * through the real engine: a generated history of daily backups is archived to a local folder
 * under the root (and to s3rver through the real SDK), then the policy deletes the archived
 * copies no rule keeps, in the same run, with reasons. The golden tables below were worked out by
 * hand from restic's rules (newest copy of each of the N most recent buckets holding one; ISO
 * weeks; buckets cut in the configured zone).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { s3Config, settingsWith } from '../../helpers/archive-fixtures.js';
import { runEngine } from '../../helpers/engine-run.js';
import { startS3 } from '../../helpers/s3-server.js';
import { DAY, makeTempDir, NOW, writeFileAt } from '../../helpers/temp-root.js';

const LOCAL_TARGET = { type: 'local', dir: 'archive/backups' };
const GFS = { keep_daily: 7, keep_weekly: 4, keep_monthly: 3 };

/** YYYYMMDD_HHMMSS of an instant in UTC (the form backup names carry). */
const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);

/**
 * `days` daily prod backups at 19:07:36 UTC from 2026-02-06 back (120: to 2025-10-10), without
 * the week 2026-01-12 … 01-18 (a gap: a whole ISO week without a backup). Returns their names, newest first.
 */
function writeHistory(root: string, days = 120): string[] {
  const names: string[] = [];
  for (let d = 1; d <= days; d++) {
    const at = NOW - d * DAY;
    const day = new Date(at).toISOString().slice(0, 10);
    if (day >= '2026-01-12' && day <= '2026-01-18') continue;
    const name = `architect_${stamp(at)}.db`;
    writeFileAt(root, `backups/prod/${name}`, at, `backup of ${day}\n`);
    names.push(name);
  }
  return names;
}

/** The day (YYYY-MM-DD) in a backup name such as architect_20260205_190736.db(.gz). */
const dayOf = (name: string) => {
  const m = /_(\d{4})(\d{2})(\d{2})_/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : name;
};

interface GoldenCase {
  name: string;
  timezone: string;
  /** Archived copies kept, by the UTC day in their name, with the rules that keep them. */
  kept: Record<string, string>;
}

const CASES: GoldenCase[] = [
  {
    name: 'UTC: daily 7, weekly 4 (the empty week does not count), monthly 3',
    timezone: 'UTC',
    kept: {
      '2026-02-05': 'daily #1, weekly #1, monthly #1',
      '2026-02-04': 'daily #2',
      '2026-02-03': 'daily #3',
      '2026-02-02': 'daily #4',
      '2026-02-01': 'daily #5, weekly #2', // Sunday: the newest of ISO week 5
      '2026-01-31': 'daily #6, monthly #2',
      '2026-01-30': 'daily #7',
      '2026-01-25': 'weekly #3',
      '2026-01-11': 'weekly #4', // week 3 (12 … 18 January) holds no backup: week 2's newest
      '2025-12-31': 'monthly #3',
    },
  },
  {
    // 19:07 UTC is 09:07 of the next day at UTC+14: every bucket moves by one day.
    name: 'Pacific/Kiritimati (UTC+14): the same history cut in the configured zone',
    timezone: 'Pacific/Kiritimati',
    kept: {
      '2026-02-05': 'daily #1, weekly #1, monthly #1',
      '2026-02-04': 'daily #2',
      '2026-02-03': 'daily #3',
      '2026-02-02': 'daily #4',
      '2026-02-01': 'daily #5',
      '2026-01-31': 'daily #6, weekly #2', // local Sunday 1 February
      '2026-01-30': 'daily #7, monthly #2', // local 31 January
      '2026-01-24': 'weekly #3', // local Sunday 25 January
      '2026-01-11': 'weekly #4', // local Monday 12 January: the only backup of local week 3
      '2025-12-30': 'monthly #3', // local 31 December
    },
  },
];

describe('archive_policy with the restic-style rule set', () => {
  for (const c of CASES) {
    it(`${c.name}: deletes exactly the archived copies no rule keeps, with reasons; the dry run predicts it; the next run converges`, async () => {
      const root = makeTempDir();
      const history = writeHistory(root);
      const settings = settingsWith(root, {
        timezone: c.timezone,
        backup_retention: { prod: 1 },
        backup_archive: { target: LOCAL_TARGET },
        archive_policy: { prod: GFS },
      });
      const dry = await runEngine(settings, { dryRun: true });
      const real = await runEngine(settings);
      expect(real.errors).toEqual([]);

      // Left on the target: the golden table, nothing else (the newest backup stays local).
      const left = readdirSync(path.join(root, 'archive/backups/prod')).filter((n) => n.endsWith('.gz'));
      expect(left.map(dayOf).sort()).toEqual(Object.keys(c.kept).sort());
      expect(readdirSync(path.join(root, 'backups/prod'))).toEqual([history[0]]);

      // Every archived copy not in the table was deleted there, in this run, with the rule set as its reason.
      const deleted = real.items.filter((i) => i.action === 'delete');
      expect(deleted).toHaveLength(history.length - 1 - Object.keys(c.kept).length);
      for (const i of deleted) {
        expect(i.target).toMatch(/^archive\/backups\/prod\/architect_\d{8}_\d{6}\.db\.gz$/);
        expect(i.reason).toBe('removed: not kept by any rule of archive_policy.prod (daily 7, weekly 4, monthly 3) on archive/backups/');
      }
      // Kept copies are listed with every rule that keeps them (the run's kept list, --explain).
      const keptCopies = Object.fromEntries(real.kept.filter((k) => k.target.startsWith('archive/')).map((k) => [dayOf(k.target), k.reason]));
      expect(keptCopies).toEqual(Object.fromEntries(Object.entries(c.kept).map(([day, why]) => [day, `kept: ${why} (archive_policy.prod)`])));

      // The dry run named the same deletions and the same reasons, and touched nothing.
      const view = (items: typeof real.items) => items.filter((i) => i.action === 'delete').map((i) => `${i.target} ${i.reason}`).sort();
      expect(view(dry.items)).toEqual(view(real.items));

      const again = await runEngine(settings);
      expect(again.items.filter((i) => i.category === 'backups')).toEqual([]);
      expect(again.errors).toEqual([]);
    });
  }

  it('keep_within and keep_last together on s3rver: the objects outside both are deleted from the bucket, with reasons', async () => {
    const s3 = await startS3();
    const root = makeTempDir();
    writeHistory(root, 12); // 2026-02-06 … 01-26: the newest stays local, 11 are archived
    const settings = settingsWith(root, s3Config(s3.endpoint, s3.bucket, { timezone: 'UTC', archive_policy: { prod: { keep_last: 2, keep_within: '5d' } } }));
    const real = await runEngine(settings);
    expect(real.errors).toEqual([]);

    const out = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'architect/prod/' }));
    const left = (out.Contents ?? []).map((o) => dayOf(o.Key ?? '')).sort();
    // The newest archived copy is 2026-02-05 19:07:36; 5 days before it is 01-31 19:07:36, which is
    // not after the limit (restic keeps what is strictly after it): 02-01 … 02-05. keep_last 2 adds nothing older.
    expect(left).toEqual(['2026-02-01', '2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05']);
    const deleted = real.items.filter((i) => i.action === 'delete');
    expect(deleted.map((i) => dayOf(i.target)).sort()).toEqual(['2026-01-26', '2026-01-27', '2026-01-28', '2026-01-29', '2026-01-30', '2026-01-31']);
    for (const i of deleted) {
      expect(i.target).toMatch(/^s3:\/\/archive-test\/architect\/prod\/architect_\d{8}_\d{6}\.db\.gz$/);
      expect(i.reason).toBe('removed: not kept by any rule of archive_policy.prod (last 2, within 5d) on s3://archive-test/architect/');
    }
    const kept = real.kept.filter((k) => k.target.startsWith('s3://'));
    expect(kept.map((k) => `${dayOf(k.target)} ${k.reason}`).sort()).toEqual([
      '2026-02-01 kept: within 5d of the newest (archive_policy.prod)',
      '2026-02-02 kept: within 5d of the newest (archive_policy.prod)',
      '2026-02-03 kept: within 5d of the newest (archive_policy.prod)',
      '2026-02-04 kept: last #2, within 5d of the newest (archive_policy.prod)',
      '2026-02-05 kept: last #1, within 5d of the newest (archive_policy.prod)',
    ]);
  });
});
