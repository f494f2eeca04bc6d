/** `GET /health`: liveness for Docker and orchestrators. Never behind the token. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponseSchema } from '../schemas/common.js';
import { HealthQuerySchema, HealthSchema } from '../schemas/health.js';

/** Registers the health route. */
export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        summary: 'Liveness',
        operationId: 'getHealth',
        tags: ['health'],
        querystring: HealthQuerySchema,
        response: { 200: HealthSchema, 400: ErrorResponseSchema('A query parameter was given (GET /health takes none).') },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
};
