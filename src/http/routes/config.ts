/**
 * `GET`/`PUT /api/system/cleanup/config` and `GET /config/history` (issue 14): the editable
 * configuration, changed without a restart and recorded. `PUT ?preview=true` saves nothing and
 * compares a dry run with the current configuration to one with the new, at the same moment.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Settings } from '../../config/settings.js';
import type { Engine } from '../../engine/engine.js';
import { STAT_KEY } from '../../domain/stats.js';
import type { Stats } from '../../domain/types.js';
import type { ConfigService } from '../config-service.js';
import { ApiErrorResponses, ErrorResponseSchema } from '../schemas/common.js';
import {
  ConfigBodySchema,
  ConfigPreviewSchema,
  ConfigPutQuerySchema,
  ConfigSavedSchema,
  ConfigViewSchema,
  HISTORY_LIMIT,
  HistoryQuerySchema,
  HistorySchema,
} from '../schemas/config.js';
import { parseQueryInt } from './runs.js';

export interface ConfigRoutesOptions {
  config: ConfigService;
  /** The service's engine (it runs with the live settings). */
  engine: Engine;
  /** An engine over other settings, for the preview's second dry run. */
  engineFor: (settings: Settings) => Engine;
  /** Whether a token guards the API: the change is then recorded as the token holder's. */
  tokenSet: boolean;
  signal: AbortSignal;
}

const Forbidden = { 403: ErrorResponseSchema('Without CLEANUP_API_TOKEN: asked from beyond loopback or another site (ERR_CLEANUP_FORBIDDEN).') };

/** True when `b` removes more than `a` in some category. */
function removesMore(a: Stats, b: Stats): boolean {
  return Object.values(STAT_KEY).some((k) => (b[k] ?? 0) > (a[k] ?? 0));
}

/** Registers the three configuration routes. */
export const configRoutes: FastifyPluginAsyncTypebox<ConfigRoutesOptions> = async (app, opts) => {
  app.get(
    '/config',
    {
      schema: {
        summary: 'The effective editable configuration',
        operationId: 'getCleanupConfig',
        tags: ['config'],
        response: { 200: ConfigViewSchema, ...ApiErrorResponses, ...Forbidden },
      },
    },
    async () => ({ success: true as const, ...opts.config.view() }),
  );

  app.put(
    '/config',
    {
      schema: {
        summary: 'Replace the editable configuration (or preview the change)',
        description:
          'Checked like the config file (the message names the field: `body.<field> …`); nothing is saved on error. Saved to the config file when the service runs with a writable one, else to the state database; applied at once (the schedule is re-armed) and recorded in /config/history.',
        operationId: 'putCleanupConfig',
        tags: ['config'],
        querystring: ConfigPutQuerySchema,
        body: ConfigBodySchema,
        response: {
          200: { anyOf: [ConfigSavedSchema, ConfigPreviewSchema], description: 'Saved (or, with preview=true, the comparison).' },
          ...ApiErrorResponses,
          ...Forbidden,
          409: ErrorResponseSchema('preview=true while a cleanup is running (ERR_CLEANUP_BUSY).'),
          413: ErrorResponseSchema('Body larger than 16 KiB (ERR_CLEANUP_BODY_TOO_LARGE).'),
          415: ErrorResponseSchema('Body is not application/json (ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE).'),
        },
      },
    },
    async (request) => {
      const candidate = opts.config.check(request.body);
      if (request.query.preview === 'true') {
        const now = Date.now();
        const current = await opts.engine.runOnce({ trigger: 'api', dryRun: true, now, signal: opts.signal });
        const proposed = await opts.engineFor(candidate.settings).runOnce({ trigger: 'api', dryRun: true, now, signal: opts.signal });
        return {
          success: true as const,
          preview: true as const,
          changes: candidate.changes,
          current: { run_id: current.run_id, stats: current.stats },
          proposed: { run_id: proposed.run_id, stats: proposed.stats },
          last_real: opts.config.lastRealStats(),
          removes_more: removesMore(current.stats, proposed.stats),
        };
      }
      opts.config.apply(candidate, { actor: opts.tokenSet ? 'token' : 'local', remote: request.ip });
      return { success: true as const, ...opts.config.view(), changes: candidate.changes };
    },
  );

  app.get(
    '/config/history',
    {
      schema: {
        summary: 'Every configuration change: who, when, what',
        operationId: 'getCleanupConfigHistory',
        tags: ['config'],
        querystring: HistoryQuerySchema,
        response: { 200: HistorySchema, ...ApiErrorResponses, ...Forbidden },
      },
    },
    async (request) => {
      const limit = parseQueryInt(request.query.limit, 'limit', 1, HISTORY_LIMIT.max, HISTORY_LIMIT.default);
      const offset = parseQueryInt(request.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
      return { success: true as const, ...opts.config.history(limit, offset) };
    },
  );
};
