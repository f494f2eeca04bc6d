/**
 * What a run does between taking the lock and recording its result: a dry run lists; a real run
 * is first guarded (brakes/guard.ts: clock, brake, caps), then either refused, keeping its plan
 * (brakes/record-plan.ts), or carried out through its gate (an applied plan's, or the brake's budget).
 */
import type { CategoryDescriptor } from '../domain/categories/index.js';
import type { Trigger } from '../domain/types.js';
import type { RemovalGate } from './brakes/gate.js';
import { dryRunClock, guardRun } from './brakes/guard.js';
import { recordPlan } from './brakes/record-plan.js';
import type { CategoryHandler, Reporter, RunContext } from './context.js';
import type { Plan } from './plans/load-plan.js';
import type { RunStore } from './run-store.js';
import type { Tally } from './tally.js';

export interface RunBodyInput {
  ctx: RunContext;
  /** The handlers of the run's categories, in order. */
  handlers: readonly CategoryHandler[];
  tally: Tally;
  store: RunStore;
  list: readonly CategoryDescriptor[];
  trigger: Trigger;
  /** `--allow-large` / `confirm_large`. */
  confirmLarge: boolean;
  /** The plan a real run applies, if any. */
  plan: Plan | null;
}

/** Runs the handlers as the run's kind says; returns the brake's refusal (nothing deleted), or null. */
export async function runBody(input: RunBodyInput): Promise<string | null> {
  const { ctx, handlers, tally } = input;
  if (ctx.dryRun) {
    const suffix = dryRunClock(ctx, input.store, input.trigger);
    await runHandlers(handlers, suffix ? { ...ctx, report: withReasonSuffix(ctx.report, input.list, suffix) } : ctx, tally);
    return null;
  }
  const guard = await guardRun({ ctx, handlers: handlers.map(shielded), store: input.store, trigger: input.trigger, confirmed: input.confirmLarge || input.plan !== null });
  if (guard.refusal !== null) {
    await recordPlan(ctx, handlers.map(shielded), tally, input.store, input.list);
    return guard.refusal;
  }
  const gate: RemovalGate | undefined = input.plan?.gate() ?? guard.gate;
  let report = guard.reasonSuffix ? withReasonSuffix(ctx.report, input.list, guard.reasonSuffix) : ctx.report;
  if (input.plan && gate) report = withKeptPlanItems(report, gate);
  await runHandlers(handlers, { ...ctx, gate, report }, tally);
  gate?.finish(ctx.report);
  if (guard.firstRun && tally.itemsTotal > 0) {
    const mb = (tally.bytes / 1_048_576).toFixed(2);
    ctx.report.warning(`first real run on this root: not braked (no earlier real run to compare it with); it removed ${tally.itemsTotal} items, ${mb} MB`);
  }
  return null;
}

/** Runs the handlers in order until the run is aborted. */
export async function runHandlers(handlers: readonly CategoryHandler[], ctx: RunContext, tally: Tally): Promise<void> {
  for (const handler of handlers) {
    if (ctx.signal.aborted) return;
    tally.progress.category = handler.category;
    await shielded(handler).run(ctx);
  }
}

/** The handler with an unexpected throw turned into a category-level error: the run goes on. */
function shielded(handler: CategoryHandler): CategoryHandler {
  return {
    category: handler.category,
    async run(ctx) {
      try {
        await handler.run(ctx);
      } catch (err) {
        ctx.report.error({ category: handler.category, target: handler.category, message: `category failed: ${(err as Error).message}` });
        ctx.logger.error({ err, category: handler.category, run_id: ctx.runId }, 'category failed');
      }
    },
  };
}

/** Every age-based decision's reason carries `suffix` (the clock may have jumped). */
function withReasonSuffix(report: Reporter, list: readonly CategoryDescriptor[], suffix: string): Reporter {
  const aged = new Set(list.filter((d) => d.rule.kind === 'age').map((d) => d.name));
  return {
    ...report,
    item: (item) => report.item(aged.has(item.category) && item.action !== 'rmdir' ? { ...item, reason: `${item.reason}${suffix}` } : item),
  };
}

/**
 * Applying a plan: a planned item the policy keeps now (a backup among the kept since a newer one
 * vanished) is skipped with that reason, not left to the gate's "not removed" at the end.
 */
function withKeptPlanItems(report: Reporter, gate: RemovalGate): Reporter {
  return {
    ...report,
    kept(k) {
      report.kept?.(k);
      if (gate.covers(k.category, k.target)) report.skipped({ category: k.category, target: k.target, reason: `changed since it was planned (now ${k.reason})` });
    },
  };
}
