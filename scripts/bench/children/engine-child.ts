/**
 * Child: one engine run (`createEngine(...).runOnce`) on a root, as the CLI would make it
 * (settings from loadSettings, the state store, the pino logger writing the root's log file).
 * Measures the run's wall time, this process's peak RSS and CPU, the main thread's worst
 * event-loop delay during the run, and the state store's longest write.
 */
import { loadSettings, type Settings } from '../../../src/config/settings.js';
import type { RunListener } from '../../../src/domain/events.js';
import type { Logger } from 'pino';
import type { StateStore } from '../../../src/store/types.js';
import type { Category } from '../../../src/engine/types.js';
import { serveChild } from '../protocol.js';
import { watchEventLoop } from '../loop-delay.js';
import { type StoreTiming, timeStore } from '../timed-store.js';

export interface EngineJob {
  root: string;
  categories: Category[];
  dryRun: boolean;
  now: number;
  /** Return every recorded target (small trees only: the test compares them with find). */
  collectTargets?: boolean;
  /** Diagnostics only (LOG_LEVEL): the goals always run at the production default, info. */
  logLevel?: string;
  /** A config file (backup_archive, notifications…) and extra environment for loadSettings. */
  configFile?: string;
  env?: Record<string, string>;
  /**
   * Wire the run listeners as src/server.ts does (metrics, and notifications through the outbox
   * and a started sender): goal 6 measures what they cost the run.
   */
  notify?: boolean;
}

export interface EngineResult {
  wallMs: number;
  maxRssMb: number;
  cpuMs: number;
  loop: { maxMs: number; p99Ms: number; meanMs: number };
  status: string;
  itemsTotal: number;
  stats: Record<string, number>;
  errors: number;
  skipped: number;
  warnings: string[];
  store: StoreTiming;
  runId: string;
  targets?: string[];
}

/** The listeners src/server.ts gives the engine: metrics, and the notifications' sender woken at each run's end. */
async function serverListeners(settings: Settings, store: StateStore, logger: Logger): Promise<RunListener[]> {
  const { createMetrics } = await import('../../../src/http/metrics.js');
  const { createSender } = await import('../../../src/notify/sender.js');
  const { notifyListener } = await import('../../../src/notify/listener.js');
  const metrics = createMetrics({ settings, store });
  const sender = createSender({ outbox: store.outbox, notifications: settings.notifications, publicUrl: settings.publicUrl, logger, onAttempt: metrics.onDelivery });
  sender.start();
  return [metrics.listener, notifyListener(sender)];
}

serveChild<EngineJob, EngineResult>({
  async start(job) {
    // Imported here so a half-built engine fails this child, not the harness.
    const { createEngine } = await import('../../../src/engine/engine.js');
    const { openStateStore } = await import('../../../src/store/state-store.js');
    const { createLogger, closeLogger } = await import('../../../src/logging.js');
    const env = { CLEANUP_SCHEDULE: 'off', ...job.env, ...(job.logLevel ? { LOG_LEVEL: job.logLevel } : {}) };
    const settings = loadSettings({ env, root: job.root, configFile: job.configFile });
    const raw = openStateStore(settings);
    const { store, timing } = timeStore(raw);
    const logger = createLogger(settings, { stdout: false });
    const listeners = job.notify ? await serverListeners(settings, raw, logger) : [];
    const engine = createEngine({ settings, store, logger, listeners });
    const loop = watchEventLoop();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await engine.runOnce({ trigger: 'cli', dryRun: job.dryRun, now: job.now, overrides: { categories: job.categories } });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const loopDelay = loop.read();
    loop.stop();
    const targets = job.collectTargets ? raw.listItems(r.run_id, 1_000_000_000, 0).items.map((i) => i.target) : undefined;
    // With notifications the sender may still be waiting on a server that never answers: the
    // process ends without waiting for it (leave() in protocol.ts), its store left open.
    if (!job.notify) {
      await closeLogger(logger);
      raw.close();
    }
    const info: EngineResult = {
      wallMs,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
      cpuMs: (cpu.user + cpu.system) / 1000,
      loop: loopDelay,
      status: r.status,
      itemsTotal: r.items_total,
      stats: { ...r.stats },
      errors: r.errors.length,
      skipped: r.skipped_total,
      warnings: r.warnings,
      store: { ...timing },
      runId: r.run_id,
      targets,
    };
    return { info, calls: { stop: () => null } };
  },
});
