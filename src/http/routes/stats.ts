/** `GET /api/system/cleanup/stats`: space freed over time, summed server-side from the run history. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Bucket, createStatsStore, type StatsStore } from '../../store/stats-store.js';
import type { StateStore } from '../../store/types.js';
import { BadRequestError } from '../errors.js';
import { ApiErrorResponses, ErrorResponseSchema } from '../schemas/common.js';
import { MAX_RANGE_DAYS, StatsQuerySchema, StatsResponseSchema } from '../schemas/stats.js';

export interface StatsRoutesOptions {
  store: StateStore;
}

const DAY_MS = 86_400_000;
const DEFAULT_RANGE_DAYS: Record<Bucket, number> = { hour: 7, day: 30, week: 182 };

/** The range asked for, checked: from < to, and not longer than the bucket size allows. */
export function resolveRange(bucket: Bucket, from: string | undefined, to: string | undefined, now: number): { from: string; to: string } {
  const end = to === undefined ? now : Date.parse(to);
  const start = from === undefined ? end - DEFAULT_RANGE_DAYS[bucket] * DAY_MS : Date.parse(from);
  if (Number.isNaN(end)) throw new BadRequestError(`querystring.to is not a valid date-time (got ${to})`);
  if (Number.isNaN(start)) throw new BadRequestError(`querystring.from is not a valid date-time (got ${from})`);
  if (start >= end) throw new BadRequestError('querystring.from must be before querystring.to');
  if (end - start > MAX_RANGE_DAYS[bucket] * DAY_MS) {
    throw new BadRequestError(`querystring.from: a range of ${bucket} buckets may span at most ${MAX_RANGE_DAYS[bucket]} days; use a larger bucket`);
  }
  return { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
}

/** Registers the stats route. */
export const statsRoutes: FastifyPluginAsyncTypebox<StatsRoutesOptions> = async (app, opts) => {
  // Prepared on first use: the OpenAPI generator builds the app over no database.
  let stats: StatsStore | null = null;
  app.get(
    '/stats',
    {
      schema: {
        summary: 'Space freed over time: items and bytes per category and bucket',
        operationId: 'getCleanupStats',
        tags: ['runs'],
        querystring: StatsQuerySchema,
        response: { 200: StatsResponseSchema, ...ApiErrorResponses, 403: ErrorResponseSchema('Without CLEANUP_API_TOKEN: asked from beyond loopback (ERR_CLEANUP_FORBIDDEN).') },
      },
    },
    async (request) => {
      const q = request.query;
      const bucket = q.bucket ?? 'day';
      const range = resolveRange(bucket, q.from, q.to, Date.now());
      const dryRun = q.dry_run === 'true';
      stats ??= createStatsStore(opts.store.database());
      const result = stats.spaceFreed({ bucket, ...range, trigger: q.trigger, dryRun });
      return { success: true as const, bucket, ...range, dry_run: dryRun, ...result };
    },
  );
};
