/** `GET /api/system/cleanup/status`: schedule, last real run and the run in progress. Cheap by design. */
import { statfsSync } from 'node:fs';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { Settings } from '../../config/settings.js';
import type { Engine } from '../../engine/engine.js';
import type { Scheduler } from '../../scheduler/scheduler.js';
import type { RunSummary, StateStore } from '../../store/types.js';
import { ApiErrorResponses } from '../schemas/common.js';
import { type RunningSchema, StatusSchema } from '../schemas/status.js';

export interface StatusRoutesOptions {
  settings: Settings;
  /** The live settings (changed by PUT /config); `settings` when absent. */
  current?: () => Settings;
  engine: Engine;
  store: StateStore;
  scheduler?: Scheduler;
}

type Running = Static<typeof RunningSchema>;

/**
 * The last real run and the run in progress: this process's (from memory), else one held by
 * another process (the CLI). One change check on the state DB either way (store/run-view.ts).
 */
function runs(engine: Engine, store: StateStore): { last: RunSummary | null; running: Running | null } {
  const mine = engine.current();
  if (mine) return { last: store.lastRealRun(), running: { ...mine, progress: { ...mine.progress }, pid: process.pid } };
  const { lastReal, running: other } = store.runState();
  if (!other) return { last: lastReal, running: null };
  const running: Running = {
    run_id: other.run_id,
    trigger: other.trigger,
    dry_run: other.dry_run,
    started_at: other.started_at,
    pid: other.pid,
    progress: {
      category: (other.progress?.category ?? null) as Running['progress']['category'],
      phase: other.progress?.phase ?? null,
      items_so_far: other.progress?.items_so_far ?? 0,
    },
  };
  return { last: lastReal, running };
}

/** Free and total bytes of the root's file system (one statfs call), or null when it cannot be read. */
function diskSpace(root: string): { free_bytes: number; total_bytes: number } | null {
  try {
    const fs = statfsSync(root);
    return { free_bytes: fs.bavail * fs.bsize, total_bytes: fs.blocks * fs.bsize };
  } catch {
    return null;
  }
}

/**
 * Registers the status route. Per request: one check of the state DB for changes (a read of its
 * wal-index header; the runs are queried again only after a commit) and one statfs call.
 */
export const statusRoutes: FastifyPluginAsyncTypebox<StatusRoutesOptions> = async (app, opts) => {
  app.get(
    '/status',
    {
      schema: {
        summary: 'Schedule, last real run and the run in progress',
        operationId: 'getCleanupStatus',
        tags: ['cleanup'],
        response: { 200: StatusSchema, ...ApiErrorResponses },
      },
    },
    async () => {
      const settings = opts.current?.() ?? opts.settings;
      const { last, running } = runs(opts.engine, opts.store);
      const active = opts.scheduler?.isActive() ?? false;
      return {
        success: true as const,
        daemon_running: active,
        daemon_pid: active ? process.pid : null,
        last_run: last?.finished_at ?? null,
        last_stats: last?.stats ?? null,
        running,
        schedule: settings.schedule,
        timezone: settings.timezone ?? null,
        next_run: active ? (opts.scheduler?.nextRun()?.toISOString() ?? null) : null,
        disk: diskSpace(settings.root),
      };
    },
  );
};
