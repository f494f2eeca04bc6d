/**
 * `GET /metrics`: Prometheus text format. Behind the same bearer token as `/api/` when
 * CLEANUP_API_TOKEN is set, unless CLEANUP_METRICS_PUBLIC=true (a scraper on a private network).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createAuthHook } from '../auth.js';
import type { Metrics } from '../metrics.js';
import { ErrorResponseSchema } from '../schemas/common.js';

export interface MetricsRoutesOptions {
  metrics: Metrics;
  /** The token to require, or undefined for none. */
  token: string | undefined;
}

/** Registers /metrics. */
export const metricsRoutes: FastifyPluginAsyncTypebox<MetricsRoutesOptions> = async (app, opts) => {
  if (opts.token) app.addHook('onRequest', createAuthHook(opts.token));
  const { registry } = opts.metrics;
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics (text exposition format)',
        operationId: 'getMetrics',
        tags: ['metrics'],
        response: {
          200: {
            description: 'Every cleanup_* metric and the process defaults.',
            content: { 'text/plain': { schema: Type.String() } },
          },
          401: ErrorResponseSchema('Missing or wrong bearer token, when CLEANUP_API_TOKEN is set and CLEANUP_METRICS_PUBLIC is not true.'),
        },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      reply.type(registry.contentType);
      return text;
    },
  );
};
