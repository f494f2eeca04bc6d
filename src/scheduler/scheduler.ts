/**
 * The in-process schedule (SPEC section 5): a node-cron task around `engine.runOnce` with
 * trigger `schedule`. A tick that finds a run in progress (here or in another process) is
 * skipped and logged, never queued. `off` disables it.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Settings } from '../config/settings.js';
import type { EngineLogger } from '../engine/context.js';
import type { Engine } from '../engine/engine.js';
import { type BusyError, catalogEntryOf } from '../domain/errors.js';

export interface SchedulerDeps {
  settings: Settings;
  engine: Engine;
  logger: EngineLogger;
}

export interface Scheduler {
  /** The cron expression, or `off`. */
  readonly expression: string;
  /** Starts ticking (idempotent); a no-op when the schedule is `off`. */
  start(): void;
  /** Destroys the task, aborts a scheduled run in progress and waits for it to be recorded. */
  stop(): Promise<void>;
  isActive(): boolean;
  /** The next tick, or null when inactive. */
  nextRun(): Date | null;
  /** Runs one tick now, as the schedule would (tests, and the task itself). */
  tick(): Promise<void>;
  /**
   * Takes new settings (schedule, time zone, dry-run flag) without a restart: a started schedule
   * is re-armed on the new expression (or stopped for `off`); a scheduled run in progress goes on.
   */
  rearm(next: Settings): void;
}

/** Creates the scheduler; nothing runs until `start()`. */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const { engine, logger } = deps;
  let settings = deps.settings;
  let started = false;
  let task: ScheduledTask | null = null;
  let inFlight: Promise<void> | null = null;
  let abort = new AbortController();

  async function runTick(): Promise<void> {
    try {
      const result = await engine.runOnce({ trigger: 'schedule', dryRun: settings.scheduleDryRun, signal: abort.signal });
      if (result.status === 'refused') {
        // A brake stopped it (issue 15): nothing was deleted; the reason says how to confirm.
        logger.warn({ run_id: result.run_id, status: result.status, reason: result.refused_reason }, 'scheduled cleanup refused');
      } else {
        logger.info({ run_id: result.run_id, status: result.status, stats: result.stats }, 'scheduled cleanup finished');
      }
    } catch (err) {
      if (catalogEntryOf(err)?.code === 'ERR_CLEANUP_BUSY') {
        const busy = err as BusyError;
        logger.warn(
          { running_run_id: busy.runId, running_pid: busy.pid, running_trigger: busy.trigger },
          `scheduled cleanup skipped: run ${busy.runId} is in progress`,
        );
      } else {
        logger.error({ err }, 'scheduled cleanup failed');
      }
    }
  }

  function tick(): Promise<void> {
    // A tick while this scheduler's own run is still going is skipped the same way as a busy lock.
    if (inFlight) return runTick();
    const p = runTick().finally(() => {
      inFlight = null;
    });
    inFlight = p;
    return p;
  }

  let nextCache: Date | null = null;
  function start(): void {
    started = true;
    if (task || settings.schedule === 'off') return;
    // A re-arm keeps the controller, so stop() still aborts a scheduled run that began before it.
    if (abort.signal.aborted) abort = new AbortController();
    task = cron.createTask(settings.schedule, () => tick(), {
      name: 'cleanup-worker',
      timezone: settings.timezone,
      logger: cronLogger(logger),
    });
    task.start();
    logger.info({ schedule: settings.schedule, timezone: settings.timezone ?? 'local', next_run: task.getNextRun()?.toISOString() ?? null }, 'schedule started');
  }

  return {
    get expression() {
      return settings.schedule;
    },
    start,
    async stop() {
      started = false;
      if (task) {
        await task.destroy();
        task = null;
        nextCache = null;
      }
      abort.abort();
      await inFlight;
    },
    isActive: () => task !== null,
    nextRun() {
      if (!task) return null;
      // getNextRun costs ~30 µs and /status asks on every request: reuse it until it has passed.
      if (!nextCache || nextCache.getTime() <= Date.now()) nextCache = task.getNextRun() ?? null;
      return nextCache;
    },
    tick,
    rearm(next) {
      settings = next;
      if (task) {
        // destroy() resolves at once for a task that is not mid-tick; the run in flight keeps its own promise.
        void task.destroy();
        task = null;
        nextCache = null;
      }
      if (started) {
        start();
        if (!task) logger.info({ schedule: settings.schedule }, 'schedule stopped (off)');
      }
    },
  };
}

/** node-cron's own warnings (missed ticks…) go to our logger instead of the console. */
function cronLogger(logger: EngineLogger) {
  return {
    info: (message: string) => logger.info({ source: 'node-cron' }, message),
    warn: (message: string) => logger.warn({ source: 'node-cron' }, message),
    error: (message: string | Error) => logger.error({ source: 'node-cron', err: message }, 'node-cron error'),
    debug: (message: string | Error) => logger.debug({ source: 'node-cron' }, String(message)),
  };
}
