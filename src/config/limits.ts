/**
 * Config `limits` (issue 15): the brake on unusual runs, hard caps, the plans' lifetime and the
 * clock check. Validated by the config file's schema (this is its part); resolved once, with
 * the documented defaults (domain/limits.ts, README, Brakes), into the engine's `Limits`.
 */
import { type Static, Type } from '@sinclair/typebox';
import cron from 'node-cron';
import { CATEGORY_LIST } from '../domain/categories/index.js';
import { DEFAULT_LIMITS, type Limits, type RunCaps } from '../domain/limits.js';

const MAX_ITEMS = 1_000_000_000;
const MAX_BYTES = Number.MAX_SAFE_INTEGER;

const CapsFields = {
  max_items_per_run: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_ITEMS, description: 'At most this many items removed by one run (a hard cap: a bigger plan is refused).' })),
  max_bytes_per_run: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_BYTES, description: 'At most this many bytes removed by one run (a hard cap).' })),
};

const CategoryCapsSchema = Type.Object(CapsFields, { additionalProperties: false });

export const LimitsSchema = Type.Object(
  {
    brake: Type.Optional(Type.Boolean({ description: 'Refuse a real run far beyond its history and its category (default true; false switches the brake off, not the caps or the clock check).' })),
    history_runs: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Recent real runs of the same trigger a plan is compared with (default 20).' })),
    history_factor: Type.Optional(Type.Number({ minimum: 1, maximum: 1_000_000, description: 'Beyond history: more than this many times the largest of those runs, in items or bytes (default 2).' })),
    holding_percent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Beyond the category: more than this percentage of its files or rows, or of their bytes (default 50).' })),
    min_items: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_ITEMS, description: 'A category planning fewer items is never braked (default 10).' })),
    ...CapsFields,
    categories: Type.Optional(
      Type.Object(Object.fromEntries(CATEGORY_LIST.map((d) => [d.name, Type.Optional(CategoryCapsSchema)])), {
        additionalProperties: false,
        description: 'Hard caps per category, e.g. {"backups": {"max_items_per_run": 50}}.',
      }),
    ),
    plan_ttl_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 24 * 60, description: 'How long a dry run\'s plan can be applied (default 60).' })),
    clock_margin_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 * 24 * 60, description: 'Clock check: a scheduled run more than this beyond the last real run plus the schedule\'s period is refused (default 1440, a day).' })),
  },
  { additionalProperties: false, description: 'Brakes: refuse unusual real runs, hard caps, plan lifetime, clock check (README, Brakes).' },
);
export type LimitsConfig = Static<typeof LimitsSchema>;

/** The config's `limits` over the defaults; `schedule` (cron or `off`) and `timezone` give the schedule's period. */
export function resolveLimits(config: LimitsConfig | undefined, schedule: string, timezone: string | undefined): Limits {
  const c = config ?? {};
  let period: { ms: number | null } | undefined;
  const categories: Record<string, RunCaps> = {};
  for (const [name, caps] of Object.entries(c.categories ?? {})) {
    if (caps) categories[name] = capsOf(caps);
  }
  return Object.freeze({
    brake: c.brake ?? DEFAULT_LIMITS.brake,
    historyRuns: c.history_runs ?? DEFAULT_LIMITS.historyRuns,
    historyFactor: c.history_factor ?? DEFAULT_LIMITS.historyFactor,
    holdingPercent: c.holding_percent ?? DEFAULT_LIMITS.holdingPercent,
    minItems: c.min_items ?? DEFAULT_LIMITS.minItems,
    run: capsOf(c),
    categories: Object.freeze(categories),
    planTtlMinutes: c.plan_ttl_minutes ?? DEFAULT_LIMITS.planTtlMinutes,
    clockMarginMinutes: c.clock_margin_minutes ?? DEFAULT_LIMITS.clockMarginMinutes,
    // Worked out on first use (~20 ms of node-cron ticks): only a scheduled real run's clock
    // check reads it, so a CLI start does not pay for it. schedule and timezone are validated already.
    get schedulePeriodMs() {
      period ??= { ms: schedulePeriod(schedule, timezone) };
      return period.ms;
    },
  });
}

function capsOf(c: { max_items_per_run?: number; max_bytes_per_run?: number }): RunCaps {
  return Object.freeze({
    ...(c.max_items_per_run !== undefined ? { maxItems: c.max_items_per_run } : {}),
    ...(c.max_bytes_per_run !== undefined ? { maxBytes: c.max_bytes_per_run } : {}),
  });
}

/**
 * The longest gap between two of the schedule's next ticks (a weekday schedule's Friday to
 * Monday, not its one day), or null for `off`. node-cron's task is only created, never started.
 */
export function schedulePeriod(schedule: string, timezone: string | undefined): number | null {
  if (schedule === 'off') return null;
  const task = cron.createTask(schedule, () => {}, timezone ? { timezone } : {});
  try {
    const ticks = task.getNextRuns(32).map((d) => d.getTime());
    let longest = 0;
    for (let i = 1; i < ticks.length; i++) longest = Math.max(longest, (ticks[i] as number) - (ticks[i - 1] as number));
    return longest > 0 ? longest : null;
  } finally {
    void task.destroy();
  }
}
