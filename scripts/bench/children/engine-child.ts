/**
 * Child: one engine run (`createEngine(...).runOnce`) on a root, as the CLI would make it
 * (settings from loadSettings, the state store, the pino logger writing the root's log file).
 * Measures the run's wall time, this process's peak RSS and CPU, the main thread's worst
 * event-loop delay during the run, and the state store's longest write.
 */
import { loadSettings } from '../../../src/config/settings.js';
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

serveChild<EngineJob, EngineResult>({
  async start(job) {
    // Imported here so a half-built engine fails this child, not the harness.
    const { createEngine } = await import('../../../src/engine/engine.js');
    const { openStateStore } = await import('../../../src/store/state-store.js');
    const { createLogger, closeLogger } = await import('../../../src/logging.js');
    const settings = loadSettings({ env: { CLEANUP_SCHEDULE: 'off', ...(job.logLevel ? { LOG_LEVEL: job.logLevel } : {}) }, root: job.root });
    const raw = openStateStore(settings);
    const { store, timing } = timeStore(raw);
    const logger = createLogger(settings, { stdout: false });
    const engine = createEngine({ settings, store, logger });
    const loop = watchEventLoop();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await engine.runOnce({ trigger: 'cli', dryRun: job.dryRun, now: job.now, overrides: { categories: job.categories } });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const loopDelay = loop.read();
    loop.stop();
    await closeLogger(logger);
    const targets = job.collectTargets ? raw.listItems(r.run_id, 1_000_000_000, 0).items.map((i) => i.target) : undefined;
    raw.close();
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
