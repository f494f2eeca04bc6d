/** `POST /api/system/cleanup`: one run through the engine, a dry run unless `"dry_run": false`. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Engine } from '../../engine/engine.js';
import { CleanupBodySchema, RunResultSchema } from '../schemas/cleanup.js';
import { ApiErrorResponses, ErrorResponseSchema } from '../schemas/common.js';

export interface CleanupRoutesOptions {
  engine: Engine;
  /** Aborted when the app closes: the run stops after its current batch and is recorded. */
  signal: AbortSignal;
}

/** Registers the cleanup route. Refused input (400) never reaches the engine, so nothing runs. */
export const cleanupRoutes: FastifyPluginAsyncTypebox<CleanupRoutesOptions> = async (app, opts) => {
  app.post(
    '',
    {
      schema: {
        summary: 'Run a cleanup (a dry run unless "dry_run": false)',
        operationId: 'runCleanup',
        tags: ['cleanup'],
        body: CleanupBodySchema,
        response: {
          200: RunResultSchema,
          ...ApiErrorResponses,
          409: ErrorResponseSchema('Another cleanup is running (ERR_CLEANUP_BUSY); `run_id` names it.'),
          413: ErrorResponseSchema('Body larger than 16 KiB (ERR_CLEANUP_BODY_TOO_LARGE).'),
          415: ErrorResponseSchema('Body is not application/json (ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE).'),
        },
      },
      // An absent body is a dry run with the defaults, like `{}` (a JSON `null` is still a 400).
      preValidation: async (request) => {
        if (request.body === undefined) (request as { body: unknown }).body = {};
      },
    },
    async (request) => {
      const { dry_run, confirm_large, ...overrides } = request.body;
      return opts.engine.runOnce({ trigger: 'api', dryRun: dry_run !== false, overrides, confirmLarge: confirm_large === true, signal: opts.signal });
    },
  );
};
