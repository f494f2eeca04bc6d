/**
 * The one entry point for HTTP, CLI and schedule: `createEngine(deps).runOnce(...)`.
 * It takes the per-root lock (through the state store), runs every selected category
 * handler, counts, logs and records every item, and returns SPEC section 4's result.
 */
import { existsSync } from 'node:fs';
import type { RunOverrides } from '../config/schema.js';
import { resolveCategories, resolvePolicy, type Settings } from '../config/settings.js';
import type { RunStore } from './run-store.js';
import type { CategoryHandler, EngineLogger, Reporter, RunContext } from './context.js';
import { appendActivityLog } from './db/activity-log.js';
import { handlersFor } from './handlers.js';
import { CATEGORY_LIST, type CategoryDescriptor } from '../domain/categories/index.js';
import { emptyStats } from '../domain/stats.js';
import type { Category, Item, ItemError, Kept, RunResult, RunStatus, Skipped, Stats, Trigger } from '../domain/types.js';

/** How many items/skips a response carries; the run history has all of them. */
export const RESPONSE_CAP = 1000;
const HISTORY_BATCH = 1000;
const PROGRESS_EVERY_MS = 500;

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
  progress: { category: Category | null; phase: string | null; items_so_far: number };
}

export interface EngineDeps {
  settings: Settings;
  store: RunStore;
  logger: EngineLogger;
  /** The categories (descriptors) this engine runs; the built-in list unless given. */
  categories?: readonly CategoryDescriptor[];
  /** Their handlers; derived from `categories` (each descriptor's strategy) unless given. */
  handlers?: readonly CategoryHandler[];
}

export interface Engine {
  /** Runs one cleanup. Throws BusyError when another run holds the lock, ConfigError on invalid overrides; nothing is deleted then. */
  runOnce(opts: RunOnceOptions): Promise<RunResult>;
  /** The run in progress in this process, or null. */
  current(): RunningInfo | null;
}


/** Builds the engine around one root's settings and state store. */
export function createEngine(deps: EngineDeps): Engine {
  const list = deps.categories ?? CATEGORY_LIST;
  const handlers = deps.handlers ?? handlersFor(list);
  let running: RunningInfo | null = null;

  async function runOnce(opts: RunOnceOptions): Promise<RunResult> {
    // Validate before taking the lock: bad input changes nothing and is not a run.
    const policy = resolvePolicy(deps.settings, opts.overrides);
    const picked = resolveCategories(opts.overrides);
    const categories = opts.overrides?.categories?.length ? list.map((d) => d.name).filter((n) => (picked as readonly string[]).includes(n)) : list.map((d) => d.name);
    const now = opts.now ?? Date.now();
    const runId = deps.store.startRun({
      trigger: opts.trigger,
      dryRun: opts.dryRun,
      settings: { policy, categories, root: deps.settings.root, now: new Date(now).toISOString() },
    });
    const startedAt = new Date(deps.store.getRun(runId)?.started_at ?? Date.now());
    const tally = createTally(runId, deps, opts.dryRun, list);
    running = {
      run_id: runId,
      trigger: opts.trigger,
      dry_run: opts.dryRun,
      started_at: startedAt.toISOString(),
      progress: tally.progress,
    };
    const signal = opts.signal ?? new AbortController().signal;
    deps.logger.info({ run_id: runId, trigger: opts.trigger, dry_run: opts.dryRun, root: deps.settings.root }, 'cleanup run started');
    let crashed: unknown = null;
    try {
      if (!existsSync(deps.settings.root)) {
        tally.reporter.warning(`root ${deps.settings.root} does not exist; nothing to clean`);
      } else {
        const ctx: RunContext = {
          settings: deps.settings,
          policy,
          categories: list,
          now,
          dryRun: opts.dryRun,
          runId,
          report: tally.reporter,
          signal,
          logger: deps.logger,
          beforeExecute: opts.beforeExecute,
        };
        for (const handler of handlers) {
          if (!(categories as readonly string[]).includes(handler.category) || signal.aborted) continue;
          tally.progress.category = handler.category;
          await runHandler(handler, ctx, tally.reporter);
        }
      }
    } catch (err) {
      crashed = err;
    } finally {
      running = null;
    }
    return finish(runId, opts, startedAt, tally, signal, crashed, deps);
  }

  return { runOnce, current: () => running };
}

/** Runs one handler; an unexpected throw becomes a category-level error and the run goes on. */
async function runHandler(handler: CategoryHandler, ctx: RunContext, reporter: Reporter): Promise<void> {
  try {
    await handler.run(ctx);
  } catch (err) {
    reporter.error({ category: handler.category, target: handler.category, message: `category failed: ${(err as Error).message}` });
    ctx.logger.error({ err, category: handler.category, run_id: ctx.runId }, 'category failed');
  }
}

interface Tally {
  reporter: Reporter;
  stats: Stats;
  bytes: number;
  items: Item[];
  itemsTotal: number;
  skipped: Skipped[];
  skippedTotal: number;
  kept: Kept[];
  keptTotal: number;
  errors: ItemError[];
  /** Every error of the run; `errors` keeps only the first RESPONSE_CAP. */
  errorsTotal: number;
  warnings: string[];
  progress: RunningInfo['progress'];
  flush(): void;
}

/**
 * The per-item log line of a run. SPEC 3.8: every removed item gets its own `info` line naming
 * it. A dry run removes nothing: its items are in the response and the run's history, and at
 * `debug` level in the log, so a dry run over a million files does not add a million lines.
 */
export function createItemLog(logger: EngineLogger, runId: string, dryRun: boolean): (item: Item) => void {
  const itemLog = logger.child?.({ run_id: runId, dry_run: dryRun }) ?? logger;
  const msg = dryRun ? 'would remove' : 'removed';
  const log = dryRun ? itemLog.debug.bind(itemLog) : itemLog.info.bind(itemLog);
  return (item) => log({ category: item.category, target: item.target, bytes: item.bytes, action: item.action, reason: item.reason }, msg);
}

function createTally(runId: string, deps: EngineDeps, dryRun: boolean, list: readonly CategoryDescriptor[]): Tally {
  const pending: Item[] = [];
  const statKey = new Map(list.map((d) => [d.name, d.statKey]));
  let lastProgress = 0;
  const logItem = createItemLog(deps.logger, runId, dryRun);
  const t: Tally = {
    stats: emptyStats(list),
    bytes: 0,
    items: [],
    itemsTotal: 0,
    skipped: [],
    skippedTotal: 0,
    kept: [],
    keptTotal: 0,
    errors: [],
    errorsTotal: 0,
    warnings: [],
    progress: { category: null, phase: null, items_so_far: 0 },
    flush() {
      if (pending.length) deps.store.appendItems(runId, pending.splice(0));
    },
    reporter: {
      item(item) {
        t.itemsTotal++;
        if (item.action !== 'rmdir') {
          const key = statKey.get(item.category);
          if (key !== undefined) (t.stats as Record<string, number>)[key] = ((t.stats as Record<string, number>)[key] ?? 0) + 1;
          t.bytes += item.bytes;
        }
        if (t.items.length < RESPONSE_CAP) t.items.push(item);
        pending.push(item);
        if (pending.length >= HISTORY_BATCH) t.flush();
        t.progress.items_so_far = t.itemsTotal;
        logItem(item);
      },
      skipped(s) {
        t.skippedTotal++;
        if (t.skipped.length < RESPONSE_CAP) t.skipped.push(s);
        deps.logger.info({ run_id: runId, category: s.category, target: s.target, reason: s.reason }, 'skipped');
      },
      kept(k) {
        t.keptTotal++;
        if (t.kept.length < RESPONSE_CAP) t.kept.push(k);
        deps.logger.debug({ run_id: runId, category: k.category, target: k.target, reason: k.reason }, 'kept');
      },
      error(e) {
        t.errorsTotal++;
        if (t.errors.length < RESPONSE_CAP) t.errors.push(e);
        deps.logger.warn({ run_id: runId, category: e.category, target: e.target, error: e.message }, 'item failed');
      },
      warning(message) {
        t.warnings.push(message);
        deps.logger.warn({ run_id: runId, warning: message }, 'cleanup warning');
      },
      progress(category, phase, done) {
        t.progress.category = category;
        t.progress.phase = phase;
        const nowMs = Date.now();
        if (nowMs - lastProgress >= PROGRESS_EVERY_MS) {
          lastProgress = nowMs;
          t.flush();
          deps.store.updateProgress(runId, { category, phase, items_so_far: Math.max(done, t.itemsTotal) });
        }
      },
    },
  };
  return t;
}

function finish(
  runId: string,
  opts: RunOnceOptions,
  startedAt: Date,
  t: Tally,
  signal: AbortSignal,
  crashed: unknown,
  deps: EngineDeps,
): RunResult {
  if (crashed) {
    t.errorsTotal++;
    t.errors.push({ category: t.progress.category ?? 'backups', target: '(run)', message: `run failed: ${(crashed as Error).message}` });
    deps.logger.error({ err: crashed, run_id: runId }, 'cleanup run failed');
  }
  t.flush();
  t.stats.space_freed_mb = Math.round((t.bytes / 1_048_576) * 100) / 100;
  const status: RunStatus = crashed ? 'failed' : signal.aborted ? 'interrupted' : t.errors.length ? 'partial' : 'succeeded';
  const finishedAt = new Date();
  if (!opts.dryRun && !crashed) {
    const warning = appendActivityLog(
      deps.settings,
      { runId, stats: t.stats, finishedAt: finishedAt.toISOString(), trigger: opts.trigger },
      finishedAt.getTime(),
    );
    if (warning) t.reporter.warning(warning);
  }
  deps.store.finishRun(runId, {
    status,
    finishedAt: finishedAt.toISOString(),
    stats: t.stats,
    itemsTotal: t.itemsTotal,
    skippedTotal: t.skippedTotal,
    errorsTotal: t.errorsTotal,
    warnings: t.warnings,
    skipped: t.skipped,
    kept: t.kept,
    keptTotal: t.keptTotal,
    errors: t.errors,
  });
  const result: RunResult = {
    success: status === 'succeeded',
    dry_run: opts.dryRun,
    run_id: runId,
    trigger: opts.trigger,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    duration_ms: finishedAt.getTime() - startedAt.getTime(),
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
  deps.logger.info(
    { run_id: runId, trigger: opts.trigger, dry_run: opts.dryRun, status, stats: t.stats, items_total: t.itemsTotal, duration_ms: result.duration_ms },
    'cleanup run finished',
  );
  return result;
}
