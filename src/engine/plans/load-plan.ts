/**
 * A plan read back from the history (issue 14): a finished dry run, or a real run a brake
 * refused, is a plan whose id is its run id. Applying it removes exactly its items, under the
 * policy and categories it was made with, each re-checked at the moment of removal.
 */
import { PlanAppliedError, PlanExpiredError, PlanNotFoundError } from '../../domain/errors.js';
import type { Policy } from '../../domain/types.js';
import { createPlanGate, type PlannedItem, planKey, type RemovalGate } from '../brakes/gate.js';
import type { RunStore } from '../run-store.js';

/** A plan about to be applied. */
export interface Plan {
  id: string;
  policy: Policy;
  categories: readonly string[];
  /** The clock the plan was made with (ms): a file modified after it changed since. */
  madeAt: number;
  /** Its items by category and target. */
  items: ReadonlyMap<string, PlannedItem>;
  gate(): RemovalGate;
}

/** What a run records as its settings (engine.ts startRun). */
interface RecordedSettings {
  policy?: Policy;
  categories?: string[];
  root?: string;
  now?: string;
}

/**
 * Reads plan `planId` of this root and checks that it can be applied at `now`: it exists and is
 * a plan, was made for this root, is not older than `ttlMinutes`, and was not applied yet (the
 * last is checked again, atomically, when the run takes the lock). Throws PlanNotFoundError,
 * PlanExpiredError or PlanAppliedError; reads the store only.
 */
export function loadPlan(store: RunStore, planId: string, at: { now: number; root: string; ttlMinutes: number }): Plan {
  const run = store.getRun(planId);
  if (!run || run.plan_id !== planId) {
    throw new PlanNotFoundError(`no plan ${planId}: a plan is the run_id of a finished dry run (its plan_id) or of a refused run`);
  }
  const s = (run.settings ?? {}) as RecordedSettings;
  if (!s.policy || !Array.isArray(s.categories)) throw new PlanNotFoundError(`plan ${planId} was recorded without its policy; make a new dry run`);
  if (s.root !== undefined && s.root !== at.root) throw new PlanNotFoundError(`plan ${planId} was made for root ${s.root}, not ${at.root}`);
  const madeAt = s.now ? Date.parse(s.now) : Date.parse(run.started_at);
  const ageMin = (at.now - madeAt) / 60_000;
  if (ageMin > at.ttlMinutes) {
    throw new PlanExpiredError(`plan ${planId} expired: it was made ${Math.floor(ageMin)} minutes ago and plans last ${at.ttlMinutes} (limits.plan_ttl_minutes); make a new dry run`);
  }
  const by = store.planAppliedBy(planId);
  if (by) throw new PlanAppliedError(planId, by);
  const items = new Map<string, PlannedItem>();
  for (const i of store.listItems(planId, Math.max(1, run.items_total), 0).items) {
    items.set(planKey(i.category, i.target), { bytes: i.bytes, action: i.action });
  }
  return { id: planId, policy: s.policy, categories: s.categories, madeAt, items, gate: () => createPlanGate(planId, items, madeAt) };
}
