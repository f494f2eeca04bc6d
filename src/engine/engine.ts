/**
 * The one entry point for HTTP, CLI and schedule: `createEngine(deps).runOnce(...)`.
 * It takes the per-root lock (through the state store), runs every selected category
 * handler, counts every item, emits the run's events (domain/events.ts) to its listeners
 * (the history, the per-item log line, the activity-log row, then the caller's), and returns
 * SPEC section 4's result.
 */
import { existsSync } from 'node:fs';
import type { RunOverrides } from '../config/schema.js';
import { type EngineSettings, engineSettingsOf } from '../config/engine-settings.js';
import { resolveCategories, resolvePolicy } from '../config/settings.js';
import { CATEGORY_LIST, type CategoryDescriptor } from '../domain/categories/index.js';
import { ConfigError } from '../domain/errors.js';
import { endEventType, type RunListener } from '../domain/events.js';
import type { Policy, RunResult, RunStatus, Trigger } from '../domain/types.js';
import type { CategoryHandler, EngineLogger, RunContext } from './context.js';
import { handlersFor } from './handlers.js';
import { loadPlan, type Plan } from './plans/load-plan.js';
import { runBody } from './run-body.js';
import { createEmitter, type Emit } from './run-events.js';
import { activityLogListener, historyListener, itemLogListener } from './run-listeners.js';
import type { RunStore } from './run-store.js';
import { createTally, type Tally } from './tally.js';
import type { TrashHooks } from './trash/hooks.js';
import { checkRunId, UnknownRunError } from './trash/layout.js';
import { prepareTrash } from './trash/prepare.js';
import { restoreFromTrash } from './trash/restore-run.js';
import type { RestoreRequest } from './trash/selection.js';
import { createTrashRun } from './trash/trash-run.js';

export { RESPONSE_CAP } from './tally.js';
export { createItemLog } from './run-listeners.js';

export interface RunOnceOptions {
  trigger: Trigger;
  dryRun: boolean;
  overrides?: RunOverrides;
  /** The run's clock (ms since epoch); defaults to Date.now() once at the start. */
  now?: number;
  /** Aborted on shutdown: the run stops between batches and is recorded as interrupted. */
  signal?: AbortSignal;
  /** Test hook: awaited between planning and executing each category. */
  beforeExecute?: RunContext['beforeExecute'];
  /**
   * A restore run (README, Trash and restore): put back what run `restore.runId` moved into the trash instead
   * of cleaning. Always real (`dryRun` must be false). Throws ConfigError for a malformed run id and
   * UnknownRunError for a run the history does not know, before anything happens.
   */
  restore?: RestoreRequest;
  /** Test hooks inside the trash's moves and restores (crash tests). */
  trashHooks?: TrashHooks;
  /** A real run: a person confirmed it is large (`--allow-large`, `confirm_large`): neither the brake nor the caps refuse it. */
  confirmLarge?: boolean;
  /**
   * Apply this plan (a dry run's or a refused run's id): a real run of exactly its items, under
   * its policy and categories (no overrides), each re-checked at removal. Throws
   * PlanNotFoundError, PlanExpiredError or PlanAppliedError (nothing runs).
   */
  planId?: string;
}

/** What `/status` shows about the run in progress in this process. */
export interface RunningInfo {
  run_id: string;
  trigger: Trigger;
  dry_run: boolean;
  started_at: string;
  progress: Tally['progress'];
}

export interface EngineDeps {
  /** Where and by which rules to clean; the engine keeps only these keys of whatever it is given. */
  settings: EngineSettings;
  store: RunStore;
  logger: EngineLogger;
  /** The categories (descriptors) this engine runs; the built-in list unless given. */
  categories?: readonly CategoryDescriptor[];
  /** Their handlers; derived from `categories` (each descriptor's strategy) unless given. */
  handlers?: readonly CategoryHandler[];
  /**
   * Told about every run (domain/events.ts), after the engine's own listeners, on a later tick:
   * a listener that throws, rejects or is slow never fails or holds up a run.
   */
  listeners?: readonly RunListener[];
}

export interface Engine {
  /** Runs one cleanup. Throws BusyError when another run holds the lock, ConfigError on invalid overrides, a Plan…Error for a plan that cannot be applied; nothing is deleted then. */
  runOnce(opts: RunOnceOptions): Promise<RunResult>;
  /** The run in progress in this process, or null. */
  current(): RunningInfo | null;
}

/** One run while it goes: what finishing it needs. */
interface ActiveRun {
  info: RunningInfo;
  opts: RunOnceOptions;
  tally: Tally;
  emit: Emit;
  signal: AbortSignal;
  /** The plan this run applies, if any. */
  plan: Plan | null;
  /** Set when a brake refused the run. */
  refusal: string | null;
}

/** Builds the engine around one root's settings and state store. */
export function createEngine(given: EngineDeps): Engine {
  const list = given.categories ?? CATEGORY_LIST;
  const handlers = given.handlers ?? handlersFor(list);
  let running: RunningInfo | null = null;

  async function runOnce(opts: RunOnceOptions): Promise<RunResult> {
    // The settings are read once per run (a live configuration may change between runs), and
    // only the engine's part of them: no handler, listener or record sees the token or the port.
    const deps: EngineDeps = { ...given, settings: engineSettingsOf(given.settings) };
    const now = opts.now ?? Date.now();
    // Validate before taking the lock: bad input changes nothing and is not a run.
    if (opts.restore) checkRestore(deps, opts);
    const plan = opts.planId === undefined ? null : planFor(deps, opts, now);
    const policy = plan?.policy ?? resolvePolicy(deps.settings, opts.overrides);
    const categories = plan ? list.map((d) => d.name).filter((n) => plan.categories.includes(n)) : selectedCategories(list, opts.overrides);
    const run = startRun(deps, list, opts, { policy, categories, now, plan });
    running = run.info;
    let crashed: unknown = null;
    try {
      if (!existsSync(deps.settings.root)) {
        run.tally.reporter.warning(`root ${deps.settings.root} does not exist; nothing to clean`);
      } else {
        const ctx = contextFor(deps, list, run, policy, now);
        try {
          if (opts.restore) await restoreFromTrash(ctx, opts.restore);
          else {
            // Before any category is planned: interrupted restores, purges, and whether this run trashes.
            await prepareTrash(ctx);
            const selected = handlers.filter((h) => categories.includes(h.category));
            const body = { ctx, handlers: selected, tally: run.tally, store: deps.store, list, trigger: opts.trigger, confirmLarge: opts.confirmLarge === true, plan };
            run.refusal = await runBody(body);
          }
        } finally {
          ctx.trash?.close();
        }
      }
    } catch (err) {
      crashed = err;
    } finally {
      running = null;
    }
    return finishRun(deps, run, crashed);
  }

  return { runOnce, current: () => running };
}

/** The plan a run applies, read and checked (a plan is a real run with no overrides of its own). */
function planFor(deps: EngineDeps, opts: RunOnceOptions, now: number): Plan {
  if (opts.dryRun) throw new ConfigError('a plan is applied by a real run: dry_run must be false');
  if (opts.overrides && Object.keys(opts.overrides).length > 0) {
    throw new ConfigError('a plan is applied with the settings it was made with: give no overrides');
  }
  const limits = deps.settings.limits;
  return loadPlan(deps.store, opts.planId as string, { now, root: deps.settings.root, ttlMinutes: limits.planTtlMinutes });
}

/** What the handlers of one run get. */
function contextFor(deps: EngineDeps, list: readonly CategoryDescriptor[], run: ActiveRun, policy: Policy, now: number): RunContext {
  return {
    settings: deps.settings,
    policy,
    categories: list,
    now,
    dryRun: run.info.dry_run,
    runId: run.info.run_id,
    report: run.tally.reporter,
    signal: run.signal,
    logger: deps.logger,
    beforeExecute: run.opts.beforeExecute,
    trash: createTrashRun(deps.settings, run.info.run_id, now),
    trashHooks: run.opts.trashHooks,
  };
}

/** A restore's request, checked before the lock: a well-formed id of a run the history knows. */
function checkRestore(deps: EngineDeps, opts: RunOnceOptions): void {
  const req = opts.restore as RestoreRequest;
  if (opts.dryRun) throw new TypeError('a restore is never a dry run');
  checkRunId(req.runId, 'run id');
  if (!deps.store.getRun(req.runId)) throw new UnknownRunError(`run ${req.runId} not found`);
}

/** The names of the categories a run covers, in list order: all, or those the overrides pick. */
function selectedCategories(list: readonly CategoryDescriptor[], overrides: RunOverrides | undefined): readonly string[] {
  const picked: readonly string[] = resolveCategories(overrides);
  const all = list.map((d) => d.name);
  return overrides?.categories?.length ? all.filter((n) => picked.includes(n)) : all;
}

/** Takes the lock (store.startRun: throws BusyError), sets up the run's tally and listeners, emits `run.started`. */
function startRun(
  deps: EngineDeps,
  list: readonly CategoryDescriptor[],
  opts: RunOnceOptions,
  plan: { policy: Policy; categories: readonly string[]; now: number; plan: Plan | null },
): ActiveRun {
  const applied = plan.plan ? { applied_plan_id: plan.plan.id } : {};
  const runId = deps.store.startRun({
    trigger: opts.trigger,
    dryRun: opts.dryRun,
    settings: opts.restore
      ? { restore: { run_id: opts.restore.runId, category: opts.restore.category ?? null, targets: opts.restore.targets ?? [] }, root: deps.settings.root, now: new Date(plan.now).toISOString() }
      : { policy: plan.policy, categories: plan.categories, root: deps.settings.root, now: new Date(plan.now).toISOString(), ...applied },
    ...(plan.plan ? { applyPlanId: plan.plan.id } : {}),
  });
  const startedAt = new Date(deps.store.getRun(runId)?.started_at ?? Date.now()).toISOString();
  let tally: Tally | null = null;
  const builtIns: RunListener[] = [
    historyListener(deps.store, runId),
    itemLogListener(deps.logger, runId, opts.dryRun, new Set(list.filter((d) => d.kind === 'rows').map((d) => d.name))),
    activityLogListener(deps.settings, (message) => tally?.reporter.warning(message)),
  ];
  const emit = createEmitter(builtIns, deps.listeners ?? [], deps.logger);
  tally = createTally(runId, list, deps.logger, emit);
  const info: RunningInfo = { run_id: runId, trigger: opts.trigger, dry_run: opts.dryRun, started_at: startedAt, progress: tally.progress };
  deps.logger.info({ run_id: runId, trigger: opts.trigger, dry_run: opts.dryRun, root: deps.settings.root }, 'cleanup run started');
  emit({ type: 'run.started', run_id: runId, trigger: opts.trigger, dry_run: opts.dryRun, started_at: startedAt });
  return { info, opts, tally, emit, signal: opts.signal ?? new AbortController().signal, plan: plan.plan, refusal: null };
}

/**
 * Ends a run: the result, the end event to the engine's listeners (they append the last items
 * and may add a warning), the record in the history (which releases the lock), then the log line.
 * External listeners get the end event on a later tick, after the run is recorded.
 */
function finishRun(deps: EngineDeps, run: ActiveRun, crashed: unknown): RunResult {
  const { tally: t, info } = run;
  if (crashed) recordCrash(deps, run, crashed);
  const status = statusOf(run, crashed);
  const result = resultOf(run, status, new Date());
  // The refusal is the run's first warning too: the history keeps it there (records.ts reads it back).
  if (result.refused_reason) t.warnings.unshift(result.refused_reason);
  run.emit({ type: endEventType(status), run_id: info.run_id, result });
  deps.store.finishRun(info.run_id, {
    status,
    finishedAt: result.finished_at,
    stats: t.stats,
    spaceTrashedMb: result.space_trashed_mb,
    itemsTotal: t.itemsTotal,
    skippedTotal: t.skippedTotal,
    errorsTotal: t.errorsTotal,
    warnings: t.warnings,
    skipped: t.skipped,
    kept: t.kept,
    keptTotal: t.keptTotal,
    errors: t.errors,
    bytesByCategory: t.bytesByCategory,
    events: [...t.events],
  });
  deps.logger.info(
    { run_id: info.run_id, trigger: info.trigger, dry_run: info.dry_run, status, stats: t.stats, items_total: t.itemsTotal, duration_ms: result.duration_ms },
    'cleanup run finished',
  );
  return result;
}

/**
 * A run that crashed outside any handler's own failure handling: an error of the category that was
 * running, or, before the first category began, a warning (there is no category to name). Pushed,
 * not reported: the reporter's logging may be what failed.
 */
function recordCrash(deps: EngineDeps, run: ActiveRun, crashed: unknown): void {
  const { tally: t } = run;
  const message = `run failed: ${(crashed as Error).message}`;
  const category = t.progress.category;
  if (category === null) {
    t.warnings.push(message);
  } else {
    t.errorsTotal++;
    t.errors.push({ category, target: '(run)', message });
  }
  deps.logger.error({ err: crashed, run_id: run.info.run_id }, 'cleanup run failed');
}

/**
 * SPEC section 4's result. Its lists are the tally's own arrays, so a warning the engine's
 * listeners add at the end event (a failed activity-log row) is in the result and the history.
 */
function resultOf(run: ActiveRun, status: RunStatus, finishedAt: Date): RunResult {
  const { tally: t, info } = run;
  t.stats.space_freed_mb = toMb(t.bytes);
  return {
    success: status === 'succeeded',
    dry_run: info.dry_run,
    run_id: info.run_id,
    trigger: info.trigger,
    started_at: info.started_at,
    finished_at: finishedAt.toISOString(),
    duration_ms: finishedAt.getTime() - Date.parse(info.started_at),
    status,
    stats: t.stats,
    space_trashed_mb: toMb(t.trashedBytes),
    items: t.items,
    items_total: t.itemsTotal,
    skipped: t.skipped,
    skipped_total: t.skippedTotal,
    kept: t.kept,
    kept_total: t.keptTotal,
    errors: t.errors,
    warnings: t.warnings,
    ...planFields(run, status),
  };
}

/** Bytes as MB (1048576), two decimals: SPEC 4's space_freed_mb rounding. */
function toMb(bytes: number): number {
  return Math.round((bytes / 1_048_576) * 100) / 100;
}

function statusOf(run: ActiveRun, crashed: unknown): RunStatus {
  if (crashed) return 'failed';
  if (run.refusal !== null) return 'refused';
  if (run.signal.aborted) return 'interrupted';
  return run.tally.errors.length ? 'partial' : 'succeeded';
}

/**
 * The result's plan fields: a finished dry run and a refused run are plans (their id is the
 * plan_id); a refused run says why and how to confirm; a run that applied a plan names it.
 */
function planFields(run: ActiveRun, status: RunStatus): Pick<RunResult, 'plan_id' | 'applied_plan_id' | 'refused_reason'> {
  const id = run.info.run_id;
  if (status === 'refused') {
    const confirm = `nothing was deleted; its plan is run ${id}: look at it, then apply it (cleanup-worker --apply ${id}, POST /api/system/cleanup/plans/${id}/apply) or confirm a new run (--force --allow-large, "confirm_large": true)`;
    return { plan_id: id, refused_reason: `refused: ${run.refusal}; ${confirm}` };
  }
  if (run.info.dry_run && (status === 'succeeded' || status === 'partial')) return { plan_id: id };
  return run.plan ? { applied_plan_id: run.plan.id } : {};
}
