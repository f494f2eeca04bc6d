/**
 * The plan claim (issue 14): a plan is claimed in the transaction that takes the run lock, so of
 * two connections (two processes) applying one plan, however they interleave, one gets it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStoreAt } from '../../src/store/state-store.js';
import type { FinishRun } from '../../src/store/types.js';
import { makeTempDir } from '../helpers/temp-root.js';

const zero = { backups_deleted: 0, logs_deleted: 0, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 0 };
const done = (status: FinishRun['status'] = 'succeeded'): FinishRun => ({
  status, finishedAt: new Date().toISOString(), stats: zero, itemsTotal: 0, skippedTotal: 0, errorsTotal: 0, warnings: [], skipped: [], errors: [],
});

function twoConnections() {
  const file = path.join(makeTempDir(), 'state.db');
  return [openStateStoreAt(file), openStateStoreAt(file)] as const;
}

describe('claiming a plan', () => {
  it('refuses a second claim while the first run still holds the lock: "applied", not "busy"', () => {
    const [a, b] = twoConnections();
    const plan = a.startRun({ trigger: 'api', dryRun: true, settings: {} });
    a.finishRun(plan, done());
    // Both passed the read-only check before either claimed (the window a race would use).
    expect(a.planAppliedBy(plan)).toBeNull();
    expect(b.planAppliedBy(plan)).toBeNull();
    const first = a.startRun({ trigger: 'api', dryRun: false, settings: {}, applyPlanId: plan });
    expect(() => b.startRun({ trigger: 'cli', dryRun: false, settings: {}, applyPlanId: plan })).toThrow(
      expect.objectContaining({ code: 'ERR_CLEANUP_PLAN_APPLIED', runId: first }),
    );
    a.finishRun(first, done());
    expect(() => b.startRun({ trigger: 'cli', dryRun: false, settings: {}, applyPlanId: plan })).toThrow(/was already applied/);
    expect(b.planAppliedBy(plan)).toBe(first);
    expect(b.appliedPlanOf(first)).toBe(plan);
    // The refused attempts recorded no run and left the lock free.
    expect(b.listRuns(10, 0).total).toBe(2);
    expect(b.runningRun()).toBeNull();
    a.close();
    b.close();
  });

  it('compares a plan with the recent real runs of the same trigger (else any), never refused, interrupted or dry ones', () => {
    const [s] = twoConnections();
    const run = (trigger: 'api' | 'schedule', dryRun: boolean, items: number, status: FinishRun['status'] = 'succeeded') => {
      const id = s.startRun({ trigger, dryRun, settings: { now: '2026-02-07T00:00:00.000Z' } });
      s.appendItems(id, Array.from({ length: items }, (_, i) => ({ category: 'logs' as const, target: `logs/${id}-${i}`, bytes: 10, action: 'delete' as const, reason: 't' })));
      s.finishRun(id, done(status));
    };
    expect(s.brakeHistory('api', 20)).toEqual({ runs: 0, trigger: 'any', largest: {} });
    expect(s.lastRealClock()).toBeNull();
    run('schedule', false, 3);
    run('api', true, 50);
    run('api', false, 90, 'refused');
    // Interrupted: only part of its plan went, so it says nothing about the size of a usual run.
    run('api', false, 1, 'interrupted');
    expect(s.brakeHistory('api', 20)).toEqual({ runs: 1, trigger: 'any', largest: { logs: { items: 3, bytes: 30 } } });
    run('api', false, 5);
    expect(s.brakeHistory('api', 20)).toEqual({ runs: 1, trigger: 'api', largest: { logs: { items: 5, bytes: 50 } } });
    expect(s.lastRealClock()).toEqual({ clockMs: Date.parse('2026-02-07T00:00:00.000Z'), trigger: 'api' });
    s.close();
  });
});
