/**
 * `POST /api/system/cleanup/runs/:id/restore` (issue 15, README, Trash and restore): put back what run `:id`
 * moved into the trash, as a run of its own (trigger `api`, items with action `restore`), through
 * the one engine and its lock. Never over an existing file or row: each conflict is an error of
 * the result (`success: false`) and its item stays in the trash.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Engine } from '../../engine/engine.js';
import { RunResultSchema } from '../schemas/cleanup.js';
import { ApiErrorResponses, ErrorResponseSchema } from '../schemas/common.js';
import { RestoreParamsSchema, TrashRestoreBodySchema } from '../schemas/trash.js';

export interface TrashRoutesOptions {
  engine: Engine;
  /** Aborted when the app closes. */
  signal: AbortSignal;
}

/** Registers the restore route. */
export const trashRoutes: FastifyPluginAsyncTypebox<TrashRoutesOptions> = async (app, opts) => {
  app.post(
    '/runs/:id/restore',
    {
      schema: {
        summary: "Put back what a run moved into the trash (never overwrites; recorded as a run)",
        operationId: 'restoreRunTrash',
        tags: ['runs'],
        params: RestoreParamsSchema,
        body: TrashRestoreBodySchema,
        response: {
          200: RunResultSchema,
          ...ApiErrorResponses,
          404: ErrorResponseSchema('No run with this id in the history (ERR_CLEANUP_NOT_FOUND).'),
          409: ErrorResponseSchema('Another cleanup or restore is running (ERR_CLEANUP_BUSY); `run_id` names it.'),
          413: ErrorResponseSchema('Body larger than 16 KiB (ERR_CLEANUP_BODY_TOO_LARGE).'),
          415: ErrorResponseSchema('Body is not application/json (ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE).'),
        },
      },
      preValidation: async (request) => {
        if (request.body === undefined) (request as { body: unknown }).body = {};
      },
    },
    async (request) => {
      const { category, targets } = request.body;
      return opts.engine.runOnce({
        trigger: 'api',
        dryRun: false,
        restore: { runId: request.params.id, ...(category ? { category } : {}), ...(targets ? { targets } : {}) },
        signal: opts.signal,
      });
    },
  );
};
