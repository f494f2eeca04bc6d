/**
 * GET /metrics in Prometheus text format (prom-client), one registry per app. Counters are fed
 * by a run listener (domain/events.ts: never inside a run, never failing one) and by the
 * notification sender; they start at zero with the process, as Prometheus expects of counters.
 * Gauges are read when scraped: the last successful run (from the history, so it survives a
 * restart and counts CLI runs too), the run in progress in any process (the lock) and its items
 * so far, the outbox's depth, and the free space of the root's file system (fs.statfs).
 */
import { statfs } from 'node:fs/promises';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Settings } from '../config/settings.js';
import { isRunEnd, type RunListener } from '../domain/events.js';
import type { RunResult, Trigger } from '../domain/types.js';
import type { AttemptOutcome, Channel } from '../store/outbox.js';
import type { StateStore } from '../store/types.js';

export interface Metrics {
  registry: Registry;
  /** Give it to createEngine({ listeners }). */
  listener: RunListener;
  /** Give it to the sender's onAttempt. */
  onDelivery(channel: Channel, outcome: AttemptOutcome): void;
}

export interface MetricsDeps {
  settings: Settings;
  store: StateStore;
  /** The process defaults (CPU, memory, event loop…); off in tests that build many apps. */
  processDefaults?: boolean;
}

/** Run durations from a tenth of a second to an hour and more. */
const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

/** Builds the registry and its listener. */
export function createMetrics(deps: MetricsDeps): Metrics {
  const registry = new Registry();
  if (deps.processDefaults !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const runs = new Counter({ name: 'cleanup_runs_total', help: 'Finished cleanup runs.', labelNames: ['trigger', 'status', 'dry_run'], registers });
  const items = new Counter({
    name: 'cleanup_items_removed_total',
    help: 'Items removed (deleted or archived) by real runs.',
    labelNames: ['category'],
    registers,
  });
  const archived = new Counter({ name: 'cleanup_items_archived_total', help: 'Of those, items archived (not deleted).', labelNames: ['category'], registers });
  const bytes = new Counter({ name: 'cleanup_bytes_freed_total', help: 'Bytes of files removed (deleted or archived) by real runs.', labelNames: ['category'], registers });
  const archivedBytes = new Counter({ name: 'cleanup_bytes_archived_total', help: 'Of those, bytes archived (not deleted).', labelNames: ['category'], registers });
  const duration = new Histogram({
    name: 'cleanup_run_duration_seconds',
    help: 'How long runs took.',
    labelNames: ['trigger', 'dry_run'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const deliveries = new Counter({
    name: 'cleanup_notification_deliveries_total',
    help: 'Notification delivery attempts by channel and outcome (delivered, retry, dead, disabled).',
    labelNames: ['channel', 'outcome'],
    registers,
  });
  const live = createRunCounter({ runs, items, archived, bytes, archivedBytes, duration });
  addGauges(registry, deps, live.itemsSoFar);
  return {
    registry,
    listener: live.listener,
    onDelivery: (channel, outcome) => deliveries.inc({ channel, outcome }),
  };
}

interface RunCounters {
  runs: Counter<'trigger' | 'status' | 'dry_run'>;
  items: Counter<'category'>;
  archived: Counter<'category'>;
  bytes: Counter<'category'>;
  archivedBytes: Counter<'category'>;
  duration: Histogram<'trigger' | 'dry_run'>;
}

interface OpenRun {
  dryRun: boolean;
  trigger: Trigger;
  /** Items reported so far (dry run: listed), for the progress gauge. */
  itemsSoFar: number;
  byCategory: Map<string, { n: number; archived: number; bytes: number; archivedBytes: number }>;
}

/**
 * The listener: per-category sums kept in plain maps while a run goes (an item event costs a map
 * update, not a labelled counter), added to the counters at the run's end event. `itemsSoFar`
 * is the progress of this process's run in progress (null when none): live from its item
 * events, where the history only sees progress every 500 ms and items in blocks.
 */
function createRunCounter(c: RunCounters): { listener: RunListener; itemsSoFar(): number | null } {
  const open = new Map<string, OpenRun>();
  const listener: RunListener = {
    onEvent(e) {
      if (e.type === 'run.started') {
        open.set(e.run_id, { dryRun: e.dry_run, trigger: e.trigger, itemsSoFar: 0, byCategory: new Map() });
      } else if (e.type === 'run.progress') {
        const run = open.get(e.run_id);
        if (run) run.itemsSoFar = Math.max(run.itemsSoFar, e.items_so_far);
      } else if (e.type === 'item') {
        const run = open.get(e.run_id);
        if (run) run.itemsSoFar++;
        const action = e.item.action;
        if (!run || run.dryRun || action === 'rmdir' || action === 'restore') return;
        const sum = run.byCategory.get(e.item.category) ?? { n: 0, archived: 0, bytes: 0, archivedBytes: 0 };
        // Trashed items left their place (removed) but free nothing until purged; a purge frees bytes of an item counted before.
        if (action !== 'purge') sum.n++;
        if (action !== 'trash') sum.bytes += e.item.bytes;
        if (action === 'archive') {
          sum.archived++;
          sum.archivedBytes += e.item.bytes;
        }
        run.byCategory.set(e.item.category, sum);
      } else if (isRunEnd(e)) {
        const run = open.get(e.run_id);
        open.delete(e.run_id);
        countRun(c, e.result, run);
      }
    },
  };
  const itemsSoFar = () => (open.size === 0 ? null : Math.max(...[...open.values()].map((r) => r.itemsSoFar)));
  return { listener, itemsSoFar };
}

/** Adds a finished run to the counters. */
function countRun(c: RunCounters, r: RunResult, run: OpenRun | undefined): void {
  const dryRun = String(r.dry_run);
  c.runs.inc({ trigger: r.trigger, status: r.status, dry_run: dryRun });
  c.duration.observe({ trigger: r.trigger, dry_run: dryRun }, r.duration_ms / 1000);
  for (const [category, sum] of run?.byCategory ?? []) {
    c.items.inc({ category }, sum.n);
    c.bytes.inc({ category }, sum.bytes);
    if (sum.archived) {
      c.archived.inc({ category }, sum.archived);
      c.archivedBytes.inc({ category }, sum.archivedBytes);
    }
  }
}

/** The gauges read at scrape time. */
function addGauges(registry: Registry, deps: MetricsDeps, liveItems: () => number | null): void {
  const registers = [registry];
  const { store, settings } = deps;
  new Gauge({
    name: 'cleanup_last_success_timestamp_seconds',
    help: 'When the last real run that succeeded finished (unix seconds; 0 before the first).',
    registers,
    collect() {
      const at = store.lastSuccessAt();
      this.set(at ? Date.parse(at) / 1000 : 0);
    },
  });
  new Gauge({
    name: 'cleanup_run_in_progress',
    help: '1 while a run holds the lock (in any process), else 0.',
    registers,
    collect() {
      this.set(store.runningRun() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'cleanup_run_progress_items',
    help: 'Items the run in progress has removed (or listed) so far; 0 when none runs.',
    registers,
    collect() {
      // The lock says whether a run is in progress; this process's: live from its events,
      // another process's (a CLI run): from the history.
      const running = store.runningRun();
      this.set(running ? (liveItems() ?? running.progress?.items_so_far ?? running.items_total) : 0);
    },
  });
  new Gauge({
    name: 'cleanup_outbox_depth',
    help: 'Notifications waiting: pending deliveries plus events not yet routed.',
    registers,
    collect() {
      this.set(store.outbox.pendingCount());
    },
  });
  const size = new Gauge({ name: 'cleanup_root_filesystem_size_bytes', help: "Size of the root's file system.", registers });
  new Gauge({
    name: 'cleanup_root_filesystem_free_bytes',
    help: "Space on the root's file system available to the service (unprivileged).",
    registers,
    async collect() {
      try {
        const s = await statfs(settings.root);
        this.set(s.bavail * s.bsize);
        size.set(s.blocks * s.bsize);
      } catch {
        // A root that is gone has no file system to report: the series keep their last values.
      }
    },
  });
}
