/**
 * The brakes' settings (config `limits`, issue 15): when a real run is refused before it deletes
 * anything, and how long a dry run's plan may be applied. Plain data: config/limits.ts reads it
 * from the config file, the engine's guard (engine/brakes/) applies it.
 */
import type { Trigger } from './types.js';

/** Hard caps on what one run may remove; absent = no cap. */
export interface RunCaps {
  readonly maxItems?: number;
  readonly maxBytes?: number;
}

export interface Limits {
  /** The brake on unusual runs (history and share of the category); false switches it off (caps and the clock still apply). */
  readonly brake: boolean;
  /** How many recent real runs of the same trigger the plan is compared with. */
  readonly historyRuns: number;
  /** "Far beyond history": more than this many times the largest of those runs (items or bytes). */
  readonly historyFactor: number;
  /** "Far beyond what the category holds": more than this percentage of its files or rows (or of their bytes). */
  readonly holdingPercent: number;
  /** A category planning fewer items than this is never braked (a log or two is never unusual). */
  readonly minItems: number;
  /** The whole run's hard caps. */
  readonly run: RunCaps;
  /** Hard caps per category. */
  readonly categories: Readonly<Record<string, RunCaps>>;
  /** A plan (a dry run's result) can be applied for this long after it was made. */
  readonly planTtlMinutes: number;
  /** The clock check: how far beyond the last real run plus the schedule's period "now" may be. */
  readonly clockMarginMinutes: number;
  /** The longest gap between two ticks of the schedule (ms), or null when the schedule is off. */
  readonly schedulePeriodMs: number | null;
}

/** The documented defaults (README, Brakes). */
export const DEFAULT_LIMITS: Limits = Object.freeze({
  brake: true,
  historyRuns: 20,
  historyFactor: 2,
  holdingPercent: 50,
  minItems: 10,
  run: Object.freeze({}),
  categories: Object.freeze({}),
  planTtlMinutes: 60,
  clockMarginMinutes: 24 * 60,
  schedulePeriodMs: 3_600_000,
});

/** Items and bytes of one category in one run. */
export interface Amount {
  items: number;
  bytes: number;
}

/** What the brake compares a plan with: the largest amount per category over the recent real runs. */
export interface BrakeHistory {
  /** How many runs were compared (0: no history, the brake has nothing to compare with). */
  runs: number;
  /** The trigger of the runs compared: the run's own, or any when it has none of its own. */
  trigger: Trigger | 'any';
  largest: Readonly<Record<string, Amount>>;
}

/** The last real run's clock, for the clock check. */
export interface LastClock {
  /** The instant the run used as "now" (its recorded clock), ms. */
  clockMs: number;
  trigger: Trigger;
}
