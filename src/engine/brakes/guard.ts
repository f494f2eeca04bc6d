/**
 * The guard of a real run (issue 15), asked after the run took the lock and before anything is
 * deleted: the clock check, then the brake and the hard caps, which need the run's plan. The
 * plan is made by a dry pass of the same handlers (counted only, nothing kept in memory but the
 * sums); the run then carries out at most what was checked (a budget gate).
 */
import type { Amount, BrakeHistory, Limits } from '../../domain/limits.js';
import type { Category, Trigger } from '../../domain/types.js';
import type { CategoryHandler, Reporter, RunContext } from '../context.js';
import type { RunStore } from '../run-store.js';
import { createBudgetGate, type RemovalGate } from './gate.js';
import { measureHolding } from './holdings.js';
import { beyondHistory, beyondHolding, capsExceeded, type ClockJump, checkClock, describeUnusual } from './rules.js';

export interface GuardInput {
  /** The real run's context (its reporter is the run's). */
  ctx: RunContext;
  /** The handlers the run will use, in order. */
  handlers: readonly CategoryHandler[];
  store: RunStore;
  trigger: Trigger;
  /** `--allow-large` / `confirm_large`, or a plan being applied: a person confirmed; no brake, no caps. */
  confirmed: boolean;
}

export interface GuardOutcome {
  /** Why the run must not delete anything, or null. */
  refusal: string | null;
  /** What the run's removals pass through (the brake's budget), when a plan was checked. */
  gate?: RemovalGate;
  /** Added to the reason of every age-based decision: the clock may have jumped (a manual run). */
  reasonSuffix?: string;
  /** The brake is on but the root has no real run to compare with: the run is not braked, and reported (runBody). */
  firstRun?: boolean;
}

/**
 * Decides whether a real run may go on. A scheduled run under a clock that jumped is refused; a
 * manual one gets a warning and a reason suffix. Unless confirmed, the plan is checked against
 * the hard caps and, when the root has history and the brake is on, against the history and
 * what each category holds. The first real run on a root is not braked (`firstRun`: reported).
 */
export async function guardRun(input: GuardInput): Promise<GuardOutcome> {
  const { ctx, store, trigger } = input;
  const limits = ctx.settings.limits;
  const jump = checkClock(ctx.now, store.lastRealClock(), trigger, limits);
  if (jump && trigger === 'schedule') {
    return { refusal: `${jump.text}; a scheduled run is refused while the clock cannot be trusted` };
  }
  const reasonSuffix = jump ? warnClock(ctx, jump) : undefined;
  if (input.confirmed) return { refusal: null, reasonSuffix };
  const history = limits.brake ? store.brakeHistory(trigger, limits.historyRuns) : null;
  const firstRun = history?.runs === 0;
  const braking = history !== null && history.runs > 0;
  if (!braking && !hasCaps(limits)) return { refusal: null, reasonSuffix, firstRun };
  const planned = await planAmounts(ctx, input.handlers);
  const reasons = capsExceeded(planned, limits);
  if (braking) reasons.push(...(await unusualCategories(ctx, planned, history, limits)));
  if (reasons.length > 0) return { refusal: reasons.join('; '), reasonSuffix };
  return { refusal: null, reasonSuffix, firstRun, gate: createBudgetGate(new Map([...planned].map(([c, a]) => [c, a.items]))) };
}

/**
 * A dry run under a clock that may have jumped (it deletes nothing, so it is never refused): the
 * same warning and reason suffix as a manual real run. Returns the suffix, or undefined.
 */
export function dryRunClock(ctx: RunContext, store: RunStore, trigger: Trigger): string | undefined {
  const jump = checkClock(ctx.now, store.lastRealClock(), trigger, ctx.settings.limits);
  return jump ? warnClock(ctx, jump) : undefined;
}

/** The run's one warning about the clock; returns the suffix every age-based reason gets. */
function warnClock(ctx: RunContext, jump: ClockJump): string {
  ctx.report.warning(`${jump.text}: the clock may have jumped ${jump.kind}; every age in this run is measured from it`);
  return ` (the clock may have jumped ${jump.kind}: see the run's warnings)`;
}

function hasCaps(limits: Limits): boolean {
  const set = (c: { maxItems?: number; maxBytes?: number }) => c.maxItems !== undefined || c.maxBytes !== undefined;
  return set(limits.run) || Object.values(limits.categories).some(set);
}

/** The run's plan, summed per category: a dry pass of the handlers (listing sinks) whose items are only counted. */
async function planAmounts(ctx: RunContext, handlers: readonly CategoryHandler[]): Promise<Map<string, Amount>> {
  const planned = new Map<string, Amount>();
  const report: Reporter = {
    ...quietReporter(ctx),
    item(i) {
      if (i.action === 'rmdir') return;
      const a = planned.get(i.category) ?? { items: 0, bytes: 0 };
      a.items++;
      a.bytes += i.bytes;
      planned.set(i.category, a);
    },
  };
  const dry: RunContext = { ...ctx, dryRun: true, report, beforeExecute: undefined, gate: undefined };
  for (const h of handlers) {
    if (ctx.signal.aborted) break;
    await h.run(dry);
  }
  return planned;
}

/** A reporter that passes progress on (planning) and keeps nothing else: the real pass reports for itself. */
function quietReporter(ctx: RunContext): Reporter {
  return {
    item() {},
    skipped() {},
    kept() {},
    error() {},
    warning() {},
    progress: (category: Category, _phase, done) => ctx.report.progress(category, 'planning', done),
  };
}

/** The categories far beyond both their history and what they hold, as sentences. */
async function unusualCategories(ctx: RunContext, planned: ReadonlyMap<string, Amount>, history: BrakeHistory, limits: Limits): Promise<string[]> {
  const out: string[] = [];
  const quiet: RunContext = { ...ctx, dryRun: true, report: quietReporter(ctx), gate: undefined };
  for (const [category, amount] of planned) {
    if (!beyondHistory(amount, history.largest[category], limits)) continue;
    const held = await measureHolding(quiet, category);
    const files = ctx.categories?.find((d) => d.name === category)?.kind !== 'rows';
    if (held === null) {
      out.push(`${describeUnusual(category, amount, history, { items: 0, bytes: 0 }, limits, files)} (what it holds could not be read)`);
    } else if (beyondHolding(amount, held, limits)) {
      out.push(describeUnusual(category, amount, history, held, limits, files));
    }
  }
  return out;
}
