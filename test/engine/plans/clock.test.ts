/**
 * Issue 15 section 2, a clock that jumps: a scheduled real run under a clock earlier than the
 * last real run, or far beyond it, is refused; a manual run goes on with every age decision
 * flagged. Every instant here is passed as `now`; the machine's clock is never read.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineFixture } from '../../helpers/plan-fixtures.js';
import { DAY, HOUR, NOW, writeFileAt } from '../../helpers/temp-root.js';

/** A root whose last real run was a scheduled one at NOW, and a log that any later run removes. */
async function afterScheduledRun() {
  const f = engineFixture({ env: { CLEANUP_SCHEDULE: '0 * * * *' } });
  await f.engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW });
  const log = writeFileAt(f.root, 'logs/old.log', NOW - 60 * DAY, 'x');
  return { f, log };
}

describe('the clock check', () => {
  it('refuses a scheduled run whose clock is earlier than the last real run, naming both instants; nothing deleted', async () => {
    const { f, log } = await afterScheduledRun();
    const r = await f.engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW - 2 * DAY });
    expect(r.status).toBe('refused');
    expect(r.refused_reason).toMatch(
      /^refused: the clock \(2026-02-05T19:07:36\.000Z\) is earlier than the last real run \(2026-02-07T19:07:36\.000Z\); a scheduled run is refused while the clock cannot be trusted; nothing was deleted/,
    );
    expect(existsSync(log)).toBe(true);
    expect(r.items.map((i) => i.target)).toContain('logs/old.log'); // the plan is kept
  });

  it('refuses a scheduled run far ahead of the last one (beyond the period plus the margin), not one within it', async () => {
    const { f, log } = await afterScheduledRun();
    const far = await f.engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW + 365 * DAY });
    expect(far.status).toBe('refused');
    expect(far.refused_reason).toMatch(/is 8760 h after the last real run \(2026-02-07T19:07:36\.000Z\), more than the schedule's period plus limits\.clock_margin_minutes \(1440\)/);
    expect(existsSync(log)).toBe(true);
    // The refused run is no baseline: the next tick is refused too, until a person runs one.
    const next = await f.engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW + 365 * DAY + HOUR });
    expect(next.status).toBe('refused');
    const near = engineFixture({ root: f.root, env: { CLEANUP_SCHEDULE: '0 * * * *' } });
    const ok = await near.engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW + 25 * HOUR });
    expect(ok.status).toBe('succeeded');
    expect(existsSync(log)).toBe(false);
  });

  it('after a legitimate long pause, one manual real run (with its warning) lets the schedule go on', async () => {
    const { f, log } = await afterScheduledRun();
    const week = NOW + 7 * DAY;
    expect((await f.engine.runOnce({ trigger: 'schedule', dryRun: false, now: week })).status).toBe('refused');
    const manual = await f.engine.runOnce({ trigger: 'cli', dryRun: false, now: week + 60_000 });
    expect(manual.status).toBe('succeeded');
    expect(existsSync(log)).toBe(false);
    expect(manual.warnings[0]).toMatch(/is 168 h after the last real run .*: the clock may have jumped ahead; every age in this run is measured from it$/);
    expect(manual.items[0]?.reason).toBe("modified 67 days ago, limit 30 days (the clock may have jumped ahead: see the run's warnings)");
    const tick = await f.engine.runOnce({ trigger: 'schedule', dryRun: false, now: week + HOUR });
    expect(tick.status).toBe('succeeded');
    expect(tick.warnings.filter((w) => w.includes('clock'))).toEqual([]);
  });

  it('a manual run under a clock that went back goes on: one warning, and every age-based reason says so', async () => {
    const { f } = await afterScheduledRun();
    writeFileAt(f.root, 'tmp/old.tmp', NOW - 10 * DAY, 't');
    const backups = writeFileAt(f.root, 'backups/prod/a.db', NOW - 10 * DAY, 'b');
    const r = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW - DAY, overrides: { backup_retention: 1 } });
    expect(r.status).toBe('succeeded');
    expect(r.warnings.filter((w) => w.includes('clock'))).toEqual([
      'the clock (2026-02-06T19:07:36.000Z) is earlier than the last real run (2026-02-07T19:07:36.000Z): the clock may have jumped backwards; every age in this run is measured from it',
    ]);
    const reasons = r.items.filter((i) => i.category !== 'backups').map((i) => i.reason);
    expect(reasons.length).toBeGreaterThanOrEqual(2);
    for (const reason of reasons) expect(reason).toMatch(/\(the clock may have jumped backwards: see the run's warnings\)$/);
    expect(existsSync(path.join(f.root, 'tmp/old.tmp'))).toBe(false);
    expect(existsSync(backups)).toBe(true); // the only prod backup: kept whatever the clock
  });

  it('checks nothing on the first real run; never refuses a dry run, but warns in it too', async () => {
    const f = engineFixture({ env: { CLEANUP_SCHEDULE: '0 * * * *' } });
    const first = await f.engine.runOnce({ trigger: 'schedule', dryRun: false, now: NOW });
    expect(first.status).toBe('succeeded');
    expect(first.warnings.filter((w) => w.includes('clock'))).toEqual([]);
    writeFileAt(f.root, 'logs/old.log', NOW - 90 * DAY, 'x');
    const dry = await f.engine.runOnce({ trigger: 'schedule', dryRun: true, now: NOW - 30 * DAY });
    expect(dry.status).toBe('succeeded');
    expect(dry.warnings.filter((w) => w.includes('clock'))).toHaveLength(1);
    expect(dry.items[0]?.reason).toBe("modified 60 days ago, limit 30 days (the clock may have jumped backwards: see the run's warnings)");
  });
});
