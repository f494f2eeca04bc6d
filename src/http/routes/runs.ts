/** `GET /api/system/cleanup/runs` and `/runs/:id`: the run history, newest first, with paging. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listFilteredItems } from '../../store/item-filter.js';
import type { StateStore } from '../../store/types.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { ApiErrorResponses, ErrorResponseSchema } from '../schemas/common.js';
import {
  ITEMS_LIMIT,
  RUNS_LIMIT,
  RunDetailSchema,
  RunItemsQuerySchema,
  RunParamsSchema,
  RunsListSchema,
  RunsQuerySchema,
} from '../schemas/runs.js';

export interface RunsRoutesOptions {
  store: StateStore;
}

/** Reads a digits-only querystring value (the schema checked the digits) and checks its range. */
export function parseQueryInt(value: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new BadRequestError(`querystring.${name} must be an integer from ${min} to ${max} (got ${value})`);
  }
  return n;
}

/** Registers the two history routes. */
export const runsRoutes: FastifyPluginAsyncTypebox<RunsRoutesOptions> = async (app, opts) => {
  app.get(
    '/runs',
    {
      schema: {
        summary: 'Every recorded run, newest first',
        operationId: 'listRuns',
        tags: ['runs'],
        querystring: RunsQuerySchema,
        response: { 200: RunsListSchema, ...ApiErrorResponses },
      },
    },
    async (request) => {
      const limit = parseQueryInt(request.query.limit, 'limit', 1, RUNS_LIMIT.max, RUNS_LIMIT.default);
      const offset = parseQueryInt(request.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
      const { runs, total } = opts.store.listRuns(limit, offset);
      return { success: true as const, runs, total };
    },
  );

  app.get(
    '/runs/:id',
    {
      schema: {
        summary: 'One run with a page of its items (optionally only one category or action)',
        operationId: 'getRun',
        tags: ['runs'],
        params: RunParamsSchema,
        querystring: RunItemsQuerySchema,
        response: { 200: RunDetailSchema, ...ApiErrorResponses, 404: ErrorResponseSchema('No run with this id (ERR_CLEANUP_NOT_FOUND).') },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = parseQueryInt(q.items_limit, 'items_limit', 1, ITEMS_LIMIT.max, ITEMS_LIMIT.default);
      const offset = parseQueryInt(q.items_offset, 'items_offset', 0, Number.MAX_SAFE_INTEGER, 0);
      const run = opts.store.getRun(request.params.id);
      if (!run) throw new NotFoundError(`run ${request.params.id} not found`);
      if (q.category === undefined && q.action === undefined) {
        const { items, total } = opts.store.listItems(run.run_id, limit, offset);
        return { success: true as const, run, items, items_total: total };
      }
      const filter = { category: q.category, action: q.action };
      const { items, total } = listFilteredItems(opts.store.database(), run.run_id, filter, limit, offset);
      return { success: true as const, run, items, items_total: run.items_total, items_matching: total };
    },
  );
};
