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
import { endEventType, type RunListener } from '../domain/events.js';
import type { Policy, RunResult, RunStatus, Trigger } from '../domain/types.js';
import type { CategoryHandler, EngineLogger, RunContext } from './context.js';
import { handlersFor } from './handlers.js';
import { createEmitter, type Emit } from './run-events.js';
import { activityLogListener, historyListener, itemLogListener } from './run-listeners.js';
import type { RunStore } from './run-store.js';
import { createTally, type Tally } from './tally.js';

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
  /** Runs one cleanup. Throws BusyError when another run holds the lock, ConfigError on invalid overrides; nothing is deleted then. */
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
    // Validate before taking the lock: bad input changes nothing and is not a run.
    const policy = resolvePolicy(deps.settings, opts.overrides);
    const categories = selectedCategories(list, opts.overrides);
    const now = opts.now ?? Date.now();
    const run = startRun(deps, list, opts, { policy, categories, now });
    running = run.info;
    let crashed: unknown = null;
    try {
      if (!existsSync(deps.settings.root)) {
        run.tally.reporter.warning(`root ${deps.settings.root} does not exist; nothing to clean`);
      } else {
        const ctx = contextFor(deps, list, run, policy, now);
        await runHandlers(handlers.filter((h) => categories.includes(h.category)), ctx, run.tally);
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
  };
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
  plan: { policy: Policy; categories: readonly string[]; now: number },
): ActiveRun {
  const runId = deps.store.startRun({
    trigger: opts.trigger,
    dryRun: opts.dryRun,
    settings: { policy: plan.policy, categories: plan.categories, root: deps.settings.root, now: new Date(plan.now).toISOString() },
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
  return { info, opts, tally, emit, signal: opts.signal ?? new AbortController().signal };
}

/** Runs the handlers in order until the run is aborted. */
async function runHandlers(handlers: readonly CategoryHandler[], ctx: RunContext, tally: Tally): Promise<void> {
  for (const handler of handlers) {
    if (ctx.signal.aborted) return;
    tally.progress.category = handler.category;
    await runHandler(handler, ctx);
  }
}

/** Runs one handler; an unexpected throw becomes a category-level error and the run goes on. */
async function runHandler(handler: CategoryHandler, ctx: RunContext): Promise<void> {
  try {
    await handler.run(ctx);
  } catch (err) {
    ctx.report.error({ category: handler.category, target: handler.category, message: `category failed: ${(err as Error).message}` });
    ctx.logger.error({ err, category: handler.category, run_id: ctx.runId }, 'category failed');
  }
}

/**
 * Ends a run: the result, the end event to the engine's listeners (they append the last items
 * and may add a warning), the record in the history (which releases the lock), then the log line.
 * External listeners get the end event on a later tick, after the run is recorded.
 */
function finishRun(deps: EngineDeps, run: ActiveRun, crashed: unknown): RunResult {
  const { tally: t, info } = run;
  if (crashed) recordCrash(deps, run, crashed);
  const status: RunStatus = crashed ? 'failed' : run.signal.aborted ? 'interrupted' : t.errors.length ? 'partial' : 'succeeded';
  const result = resultOf(info, t, status, new Date());
  run.emit({ type: endEventType(status), run_id: info.run_id, result });
  deps.store.finishRun(info.run_id, {
    status,
    finishedAt: result.finished_at,
    stats: t.stats,
    itemsTotal: t.itemsTotal,
    skippedTotal: t.skippedTotal,
    errorsTotal: t.errorsTotal,
    warnings: t.warnings,
    skipped: t.skipped,
    kept: t.kept,
    keptTotal: t.keptTotal,
    errors: t.errors,
    bytesByCategory: t.bytesByCategory,
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
function resultOf(info: RunningInfo, t: Tally, status: RunStatus, finishedAt: Date): RunResult {
  t.stats.space_freed_mb = Math.round((t.bytes / 1_048_576) * 100) / 100;
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
    items: t.items,
    items_total: t.itemsTotal,
    skipped: t.skipped,
    skipped_total: t.skippedTotal,
    kept: t.kept,
    kept_total: t.keptTotal,
    errors: t.errors,
    warnings: t.warnings,
  };
}
