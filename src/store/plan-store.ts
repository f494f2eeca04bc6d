/**
 * The state database's part for plans and brakes (issues 14 and 15): which run applied which
 * plan (so a plan is applied at most once, claimed in the transaction that takes the run lock),
 * why a run was refused, and the history the brake and the clock check compare a run with.
 */
import type Database from 'better-sqlite3';
import { PlanAppliedError } from '../domain/errors.js';
import type { Amount, BrakeHistory, LastClock } from '../domain/limits.js';
import type { Trigger } from '../domain/types.js';

/** Appended last to state-store.ts's MIGRATIONS (after the panel's). */
export const PLAN_MIGRATIONS: readonly string[] = [
  // One row per applied plan: the primary key is what makes "applied twice" impossible.
  // IF NOT EXISTS: a database rolled back to an older user_version migrates again (see the panel's).
  `CREATE TABLE IF NOT EXISTS plan_applies (
     plan_id TEXT PRIMARY KEY,
     run_id TEXT NOT NULL UNIQUE,
     applied_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

/** The plan side of the store; state-store.ts spreads `api` into the store and calls the rest inside its transactions. */
export interface PlanStore {
  /** Inside startRun's transaction, before the lock is taken: throws PlanAppliedError when the plan is taken. */
  checkUnclaimed(planId: string): void;
  /** Inside startRun's transaction, once the run is inserted: the run claims the plan. */
  claim(planId: string, runId: string, at: string): void;
  api: PlanStoreApi;
}

/** What the engine asks (engine/run-store.ts declares it). */
export interface PlanStoreApi {
  /** The run that applied this plan, or null. */
  planAppliedBy(planId: string): string | null;
  /** The plan a run applied, or null. */
  appliedPlanOf(runId: string): string | null;
  /** The largest items and bytes per category over the last `n` real runs that went to their end (succeeded, partial) of `trigger`, else of any trigger. */
  brakeHistory(trigger: Trigger, n: number): BrakeHistory;
  /** The most recent real run that was not refused, by its recorded clock, or null before the first. */
  lastRealClock(): LastClock | null;
}

// Runs that went to their end: an interrupted run removed only part of its plan, so its amounts
// would make the run that completes it look unusual; a refused or failed one removed nothing of note.
const DONE = `r.dry_run = 0 AND r.status IN ('succeeded', 'partial')`;

/** Prepares the plan statements on the (migrated) state database. */
export function createPlanStore(db: Database.Database): PlanStore {
  const q = {
    appliedBy: db.prepare<[string], string>('SELECT run_id FROM plan_applies WHERE plan_id = ?').pluck(),
    planOf: db.prepare<[string], string>('SELECT plan_id FROM plan_applies WHERE run_id = ?').pluck(),
    claim: db.prepare('INSERT INTO plan_applies (plan_id, run_id, applied_at) VALUES (?, ?, ?)'),
    recent: db.prepare<[{ trigger: string | null; n: number }], string>(
      `SELECT r.run_id FROM runs r WHERE ${DONE} AND (@trigger IS NULL OR r.trigger = @trigger) ORDER BY r.id DESC LIMIT @n`,
    ).pluck(),
    largest: db.prepare<[string], { category: string; items: number; bytes: number }>(
      'SELECT category, max(items) AS items, max(bytes) AS bytes FROM run_category_totals WHERE run_id IN (SELECT value FROM json_each(?)) GROUP BY category',
    ),
    lastReal: db.prepare<[], { settings: string | null; started_at: string; trigger: Trigger }>(
      `SELECT r.settings, r.started_at, r.trigger FROM runs r WHERE r.dry_run = 0 AND r.status IN ('succeeded', 'partial', 'interrupted', 'failed')
        ORDER BY r.id DESC LIMIT 1`,
    ),
  };
  const history = (trigger: Trigger | null, n: number) => q.recent.all({ trigger, n });
  return {
    checkUnclaimed(planId) {
      const by = q.appliedBy.get(planId);
      if (by) throw new PlanAppliedError(planId, by);
    },
    claim: (planId, runId, at) => void q.claim.run(planId, runId, at),
    api: {
      planAppliedBy: (planId) => q.appliedBy.get(planId) ?? null,
      appliedPlanOf: (runId) => q.planOf.get(runId) ?? null,
      brakeHistory(trigger, n) {
        let ids = history(trigger, n);
        let from: BrakeHistory['trigger'] = trigger;
        if (ids.length === 0) {
          ids = history(null, n);
          from = 'any';
        }
        const largest: Record<string, Amount> = {};
        for (const row of q.largest.all(JSON.stringify(ids))) largest[row.category] = { items: row.items, bytes: row.bytes };
        return { runs: ids.length, trigger: from, largest };
      },
      lastRealClock() {
        const row = q.lastReal.get();
        if (!row) return null;
        const recorded = row.settings ? (JSON.parse(row.settings) as { now?: unknown }).now : undefined;
        const clockMs = typeof recorded === 'string' ? Date.parse(recorded) : Number.NaN;
        return { clockMs: Number.isFinite(clockMs) ? clockMs : Date.parse(row.started_at), trigger: row.trigger };
      },
    },
  };
}
