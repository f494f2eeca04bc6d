/** The gates and the brake's rules, pure: table-driven over the cases that decide a removal. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/domain/limits.js';
import { createBudgetGate, createPlanGate, NOT_REACHED, planKey } from '../../../src/engine/brakes/gate.js';
import { beyondHistory, beyondHolding, capsExceeded, checkClock } from '../../../src/engine/brakes/rules.js';

const PLAN_AT = Date.parse('2026-02-07T19:00:00Z');

describe('the plan gate', () => {
  const plan = () =>
    createPlanGate(
      'p1',
      new Map([
        [planKey('backups', 'backups/prod/a.db'), { bytes: 10, action: 'archive' as const }],
        [planKey('logs', 'logs/a.log'), { bytes: 5, action: 'delete' as const }],
        [planKey('temp', 'tmp/x'), { bytes: 0, action: 'rmdir' as const }],
      ]),
      PLAN_AT,
    );

  it.each([
    ['the planned file as planned', { category: 'logs', target: 'logs/a.log', bytes: 5, action: 'delete', mtimeMs: PLAN_AT - 1 }, 'go'],
    ['a file the plan does not name', { category: 'logs', target: 'logs/b.log', bytes: 5, action: 'delete' }, 'outside'],
    ['the same target in another category', { category: 'temp', target: 'logs/a.log', bytes: 5, action: 'delete' }, 'outside'],
    ['a different size', { category: 'logs', target: 'logs/a.log', bytes: 6, action: 'delete' }, { skip: 'changed since it was planned (size)' }],
    ['modified after the plan', { category: 'logs', target: 'logs/a.log', bytes: 5, action: 'delete', mtimeMs: PLAN_AT + 1 }, { skip: 'changed since it was planned (mtime)' }],
    ['planned to be archived, now to be deleted', { category: 'backups', target: 'backups/prod/a.db', bytes: 10, action: 'delete' }, { skip: 'changed since it was planned (planned: archive, now: delete)' }],
    ['an emptied folder of the plan', { category: 'temp', target: 'tmp/x', bytes: 0, action: 'rmdir' }, 'go'],
  ] as const)('%s', (_name, removal, expected) => {
    expect(plan().admit(removal)).toEqual(expected);
  });

  it('reports each planned item it never reached, and what it kept outside the plan, once at the end', () => {
    const gate = plan();
    gate.admit({ category: 'logs', target: 'logs/a.log', bytes: 5, action: 'delete' });
    gate.admit({ category: 'logs', target: 'logs/new.log', bytes: 1, action: 'delete' });
    expect(gate.covers('temp', 'tmp/x')).toBe(true); // reported by its executor: not again
    const skipped: unknown[] = [];
    const warnings: string[] = [];
    gate.finish({ skipped: (s) => skipped.push(s), warning: (w) => warnings.push(w) });
    expect(skipped).toEqual([{ category: 'backups', target: 'backups/prod/a.db', reason: NOT_REACHED }]);
    expect(warnings).toEqual(['1 item that qualifies now but is not in plan p1: kept (a new preview lists it)']);
  });
});

describe('the budget gate', () => {
  it('admits per category at most what was checked; emptied folders are not counted', () => {
    const gate = createBudgetGate(new Map([['logs', 2]]));
    const log = (n: number) => gate.admit({ category: 'logs', target: `logs/${n}.log`, bytes: 1, action: 'delete' });
    expect([log(1), log(2), log(3)]).toEqual(['go', 'go', { skip: 'beyond the 2 logs items the brake checked before this run; the next run takes it' }]);
    expect(gate.admit({ category: 'temp', target: 'tmp/a', bytes: 1, action: 'delete' })).toEqual({ skip: 'beyond the 0 temp items the brake checked before this run; the next run takes it' });
    expect(gate.admit({ category: 'temp', target: 'tmp/x', bytes: 0, action: 'rmdir' })).toBe('go');
  });
});

describe("the brake's rules", () => {
  const L = { ...DEFAULT_LIMITS, minItems: 10 };
  it.each([
    [{ items: 9, bytes: 1e9 }, undefined, false, 'fewer than min_items: never'],
    [{ items: 10, bytes: 0 }, { items: 5, bytes: 0 }, false, 'exactly 2 × the largest: not beyond'],
    [{ items: 11, bytes: 0 }, { items: 5, bytes: 0 }, true, 'more than 2 × in items'],
    [{ items: 10, bytes: 2001 }, { items: 10, bytes: 1000 }, true, 'more than 2 × in bytes'],
    [{ items: 10, bytes: 0 }, undefined, true, 'a category the history never touched'],
  ])('beyond history %#: %s', (planned, largest, expected) => {
    expect(beyondHistory(planned, largest, L)).toBe(expected);
  });

  it('beyond the category: more than half of its items or bytes, not exactly half', () => {
    expect(beyondHolding({ items: 50, bytes: 0 }, { items: 100, bytes: 0 }, L)).toBe(false);
    expect(beyondHolding({ items: 51, bytes: 0 }, { items: 100, bytes: 0 }, L)).toBe(true);
    expect(beyondHolding({ items: 1, bytes: 600 }, { items: 100, bytes: 1000 }, L)).toBe(true);
  });

  it('names every cap a plan is over', () => {
    const limits = { ...L, run: { maxItems: 10 }, categories: { logs: { maxItems: 3, maxBytes: 100 } } };
    const planned = new Map([['logs', { items: 4, bytes: 50 }], ['temp', { items: 7, bytes: 0 }]]);
    expect(capsExceeded(planned, limits)).toEqual(['the run would remove 11 items, over limits.max_items_per_run 10', 'logs would remove 4 items, over limits.categories.logs.max_items_per_run 3']);
  });

  it('the clock: earlier than the last real run, or beyond it plus the period plus the margin; the edge is allowed', () => {
    const last = { clockMs: PLAN_AT, trigger: 'schedule' as const };
    const limits = { ...L, schedulePeriodMs: 3_600_000, clockMarginMinutes: 60 };
    expect(checkClock(PLAN_AT - 1, last, 'schedule', limits)?.kind).toBe('backwards');
    expect(checkClock(PLAN_AT + 2 * 3_600_000, last, 'schedule', limits)).toBeNull();
    expect(checkClock(PLAN_AT + 2 * 3_600_000 + 1, last, 'schedule', limits)?.kind).toBe('ahead');
    // Manual after manual: a long gap is no jump; going back still is.
    expect(checkClock(PLAN_AT + 90 * 86_400_000, { ...last, trigger: 'cli' }, 'cli', limits)).toBeNull();
    expect(checkClock(PLAN_AT - 1, { ...last, trigger: 'cli' }, 'cli', limits)?.kind).toBe('backwards');
    expect(checkClock(PLAN_AT, null, 'schedule', limits)).toBeNull();
  });
});
