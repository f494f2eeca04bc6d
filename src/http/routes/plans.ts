/**
 * `POST /api/system/cleanup/plans/:id/apply` (issue 14): a real run of exactly the items of a
 * dry run's plan (or a refused run's), each re-checked at the moment of removal; a plan expires
 * (limits.plan_ttl_minutes) and is applied at most once (claimed with the run lock, atomically).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Engine } from '../../engine/engine.js';
import { RunResultSchema } from '../schemas/cleanup.js';
import { ApiErrorResponses, ErrorResponseSchema } from '../schemas/common.js';
import { APPLY_EXAMPLE, ApplyBodySchema, PlanParamsSchema } from '../schemas/plans.js';

export interface PlansRoutesOptions {
  engine: Engine;
  /** Aborted when the app closes: the run stops after its current batch and is recorded. */
  signal: AbortSignal;
}

/** Registers the apply route. */
export const plansRoutes: FastifyPluginAsyncTypebox<PlansRoutesOptions> = async (app, opts) => {
  app.post(
    '/plans/:id/apply',
    {
      schema: {
        summary: "Apply a dry run's plan: remove exactly its items, each re-checked, once",
        description:
          'A real run restricted to the plan\'s items, under the policy and categories the dry run used. An item that no longer qualifies (changed, gone, now kept) is skipped with the reason; nothing outside the plan is removed, even if it qualifies now. A person applying a plan has reviewed it: the brake does not refuse it.',
        operationId: 'applyPlan',
        tags: ['cleanup'],
        params: PlanParamsSchema,
        body: ApplyBodySchema,
        response: {
          200: { ...RunResultSchema, examples: [APPLY_EXAMPLE] },
          ...ApiErrorResponses,
          404: ErrorResponseSchema('No such plan (ERR_CLEANUP_NOT_FOUND): not a finished dry run or refused run of this root.'),
          409: ErrorResponseSchema('The plan was applied already (ERR_CLEANUP_PLAN_APPLIED), or another cleanup is running (ERR_CLEANUP_BUSY, with run_id).'),
          410: ErrorResponseSchema('The plan expired (ERR_CLEANUP_PLAN_EXPIRED): make a new dry run.'),
          413: ErrorResponseSchema('Body larger than 16 KiB (ERR_CLEANUP_BODY_TOO_LARGE).'),
          415: ErrorResponseSchema('Body is not application/json (ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE).'),
        },
      },
      preValidation: async (request) => {
        if (request.body === undefined) (request as { body: unknown }).body = {};
      },
    },
    async (request) => opts.engine.runOnce({ trigger: 'api', dryRun: false, planId: request.params.id, signal: opts.signal }),
  );
};
