import { describe, expect, it } from 'vitest';
import type { RunOverrides } from '../../src/config/schema.js';
import { resolvePolicy } from '../../src/config/settings.js';
import { decideFile, decideRow, planBackups } from '../../src/engine/planner.js';
import { DEFAULT_POLICY as DEFAULT_POLICY_FOR_REASONS } from '../../src/config/defaults.js';
import type { FileCandidate, FileCategory } from '../../src/engine/types.js';
import { DAY, HOUR, makeTempDir, NOW, settingsFor } from '../helpers/temp-root.js';

function file(category: FileCategory, target: string, timestampMs: number, extra: Partial<FileCandidate> = {}): FileCandidate {
  return { kind: 'file', category, target, path: `/r/${target}`, dev: 1, ino: 1, size: 10, mtimeMs: timestampMs, timestampMs, timestampSource: 'mtime', ...extra };
}

/** `n` backups of one environment, one a day back from NOW (index 0 is the newest). */
function backups(env: string, n: number, protectedIndex?: number): FileCandidate[] {
  return Array.from({ length: n }, (_, i) =>
    file('backups', `backups/${env}/b${String(i).padStart(2, '0')}.db`, NOW - i * DAY, {
      env,
      ...(i === protectedIndex ? { protectedReason: 'open by pid 4242' } : {}),
    }),
  );
}

const policyWith = (overrides?: RunOverrides) => resolvePolicy(settingsFor(makeTempDir()), overrides);

interface BackupCase {
  name: string;
  candidates: () => FileCandidate[];
  overrides?: RunOverrides;
  /** Per env: how many deleted, and the reason of a deleted one. */
  expected: Record<string, { keep: number; delete: number; skip?: number; reason?: string }>;
}

const BACKUP_CASES: BackupCase[] = [
  { name: 'keeps the 10 newest prod backups by default', candidates: () => backups('prod', 12), expected: { prod: { keep: 10, delete: 2, reason: 'older than the 10 most recent prod backups' } } },
  { name: 'keeps 5 qa, 5 dev, 3 test by default', candidates: () => [...backups('qa', 6), ...backups('dev', 5), ...backups('test', 4)], expected: { qa: { keep: 5, delete: 1 }, dev: { keep: 5, delete: 0 }, test: { keep: 3, delete: 1, reason: 'older than the 3 most recent test backups' } } },
  { name: 'an unknown environment keeps the default 5', candidates: () => backups('staging', 7), expected: { staging: { keep: 5, delete: 2, reason: 'older than the 5 most recent staging backups' } } },
  { name: 'files directly in backups/ are environment default', candidates: () => backups('default', 6), expected: { default: { keep: 5, delete: 1, reason: 'older than the 5 most recent default backups' } } },
  { name: 'an integer retention sets every environment', candidates: () => [...backups('prod', 4), ...backups('x', 4)], overrides: { backup_retention: 2 }, expected: { prod: { keep: 2, delete: 2 }, x: { keep: 2, delete: 2 } } },
  { name: '{prod: 20} merges over the defaults', candidates: () => [...backups('prod', 22), ...backups('qa', 7)], overrides: { backup_retention: { prod: 20 } }, expected: { prod: { keep: 20, delete: 2 }, qa: { keep: 5, delete: 2 } } },
  { name: 'a default key covers environments not named', candidates: () => [...backups('prod', 12), ...backups('x', 4)], overrides: { backup_retention: { default: 1 } }, expected: { prod: { keep: 10, delete: 2 }, x: { keep: 1, delete: 3 } } },
  { name: 'a protected backup beyond retention is skipped with its reason', candidates: () => backups('qa', 7, 6), expected: { qa: { keep: 5, delete: 1, skip: 1 } } },
  { name: 'a protected backup within retention is simply kept', candidates: () => backups('qa', 5, 0), expected: { qa: { keep: 5, delete: 0 } } },
  { name: 'fewer backups than the retention: all kept', candidates: () => backups('prod', 3), expected: { prod: { keep: 3, delete: 0 } } },
];

describe('planBackups', () => {
  for (const c of BACKUP_CASES) {
    it(c.name, () => {
      const decisions = planBackups(c.candidates(), policyWith(c.overrides));
      for (const [env, want] of Object.entries(c.expected)) {
        const mine = decisions.filter((d) => d.candidate.env === env);
        const count = (a: string) => mine.filter((d) => d.action === a).length;
        expect({ keep: count('keep'), delete: count('delete'), skip: count('skip') }).toEqual({ keep: want.keep, delete: want.delete, skip: want.skip ?? 0 });
        if (want.reason) expect(mine.find((d) => d.action === 'delete')?.reason).toBe(want.reason);
        // Invariant: whatever is kept is newer than whatever is removed.
        const kept = mine.filter((d) => d.action === 'keep').map((d) => d.candidate.timestampMs);
        const gone = mine.filter((d) => d.action !== 'keep').map((d) => d.candidate.timestampMs);
        if (kept.length && gone.length) expect(Math.min(...kept)).toBeGreaterThanOrEqual(Math.max(...gone));
      }
      expect(decisions.filter((d) => d.action === 'skip').every((d) => d.reason === 'open by pid 4242')).toBe(true);
    });
  }

  it('ranks by the name timestamp, not the mtime', () => {
    const oldByName = file('backups', 'backups/prod/a.db', NOW - 100 * DAY, { env: 'prod', mtimeMs: NOW, timestampSource: 'name' });
    const newByName = file('backups', 'backups/prod/b.db', NOW - DAY, { env: 'prod', mtimeMs: NOW - 200 * DAY, timestampSource: 'name' });
    const d = planBackups([oldByName, newByName], policyWith({ backup_retention: 1 }));
    expect(d.find((x) => x.action === 'delete')?.candidate.target).toBe('backups/prod/a.db');
  });

  it('refuses a retention below 1 (the safety rail)', () => {
    const policy = { ...policyWith(), backupRetention: { default: 0 } };
    expect(() => planBackups(backups('x', 2), policy)).toThrow(/at least|>= 1/);
  });
});

interface FileCase {
  name: string;
  category: 'logs' | 'temp';
  ageMs: number;
  overrides?: RunOverrides;
  protectedReason?: string;
  action: 'keep' | 'delete' | 'skip';
  reason: string;
}

const FILE_CASES: FileCase[] = [
  { name: 'a log 41 days old is deleted', category: 'logs', ageMs: 41 * DAY, action: 'delete', reason: 'modified 41 days ago, limit 30 days' },
  { name: 'a log exactly 30 days old is kept (strictly older only)', category: 'logs', ageMs: 30 * DAY, action: 'keep', reason: 'modified 30 days ago, limit 30 days' },
  { name: 'a log 30 days and 1 ms old is deleted', category: 'logs', ageMs: 30 * DAY + 1, action: 'delete', reason: 'modified just over 30 days ago, limit 30 days' },
  { name: 'a fresh log is kept', category: 'logs', ageMs: HOUR, action: 'keep', reason: 'modified 0 days ago, limit 30 days' },
  { name: 'log_age_days overrides the limit', category: 'logs', ageMs: 2 * DAY, overrides: { log_age_days: 1 }, action: 'delete', reason: 'modified 2 days ago, limit 1 day' },
  { name: 'a protected old log is skipped with its reason', category: 'logs', ageMs: 90 * DAY, protectedReason: 'protected by glob "logs/keep_me*"', action: 'skip', reason: 'protected by glob "logs/keep_me*"' },
  { name: 'a protected fresh log is just kept', category: 'logs', ageMs: DAY, protectedReason: 'open by pid 1', action: 'keep', reason: 'modified 1 day ago, limit 30 days' },
  { name: 'a temp file 30 hours old is deleted', category: 'temp', ageMs: 30 * HOUR, action: 'delete', reason: 'modified 30 hours ago, limit 24 hours' },
  { name: 'a temp file exactly 24 hours old is kept', category: 'temp', ageMs: 24 * HOUR, action: 'keep', reason: 'modified 24 hours ago, limit 24 hours' },
  { name: 'temp_age_hours overrides the limit', category: 'temp', ageMs: 2 * HOUR, overrides: { temp_age_hours: 1 }, action: 'delete', reason: 'modified 2 hours ago, limit 1 hour' },
];

describe('decideFile', () => {
  for (const c of FILE_CASES) {
    it(c.name, () => {
      const cand = file(c.category, `${c.category}/f`, NOW - c.ageMs, c.protectedReason ? { protectedReason: c.protectedReason } : {});
      const d = decideFile(cand, policyWith(c.overrides), NOW);
      expect({ action: d.action, reason: d.reason }).toEqual({ action: c.action, reason: c.reason });
    });
  }
});

describe('reasons just past the limit', () => {
  const policy = DEFAULT_POLICY_FOR_REASONS;
  it.each([
    [7 * DAY + 5 * HOUR, 'finished 7 days 5 hours ago, limit 7 days'],
    [7 * DAY + 60_000, 'finished just over 7 days ago, limit 7 days'],
    [9 * DAY, 'finished 9 days ago, limit 7 days'],
  ])('a task %d ms old reads "%s"', (age, reason) => {
    const d = decideRow({ kind: 'row', category: 'tasks', table: 't', rowid: 1, timestampMs: NOW - age }, policy, NOW);
    expect(d).toMatchObject({ action: 'delete', reason });
  });
  it('a temp file 1 minute past 24 hours names the minutes', () => {
    const c = { kind: 'file' as const, category: 'temp' as const, target: 'tmp/a', path: '/x/tmp/a', dev: 1, ino: 1, size: 1, mtimeMs: 0, timestampMs: NOW - 24 * HOUR - 120_000, timestampSource: 'mtime' as const };
    expect(decideFile(c, policy, NOW).reason).toBe('modified 24 hours 2 minutes ago, limit 24 hours');
  });
});

describe('reasons are shared per age bucket', () => {
  it('reads the same as built each time, for every age around and beyond the limit, under two limits', () => {
    const c0 = (days: number) => file('logs', 'logs/f.log', NOW - days * DAY - 5 * HOUR);
    const build = (verb: string, n: number, unit: string) => `${verb} ${n} ${n === 1 ? unit.slice(0, -1) : unit}`;
    for (const logAgeDays of [30, 7]) {
      const p = policyWith({ log_age_days: logAgeDays });
      for (let days = 0; days < 120; days++) {
        if (days === logAgeDays) {
          expect(decideFile(c0(days), p, NOW).reason).toBe(`modified ${days} days 5 hours ago, limit ${days} days`);
          continue;
        }
        const c = file('logs', 'logs/f.log', NOW - days * DAY - 5 * HOUR);
        const want = `${build('modified', days, 'days')} ago, limit ${build('', logAgeDays, 'days').trim()}`;
        expect(decideFile(c, p, NOW).reason).toBe(want);
      }
    }
  });
});
