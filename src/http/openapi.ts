/**
 * Renders openapi.yaml from the route schemas, so the routes are the one source of truth.
 * Used by scripts/openapi.ts (writes the file) and by the test that keeps it fresh.
 * @fastify/swagger is a dev dependency: the server never imports this module.
 */
import swagger from '@fastify/swagger';
import pino from 'pino';
import { loadSettings } from '../config/settings.js';
import type { Engine } from '../engine/engine.js';
import type { StateStore } from '../store/types.js';
import { API_PREFIX, buildApp } from './app.js';

type OpenApiDoc = { paths?: Record<string, { post?: { requestBody?: { required?: boolean } } }> };

const DESCRIPTION = `Storage cleanup service of the Architect dashboard (see SPEC.md).
Every /api/ route requires "Authorization: Bearer <token>" when CLEANUP_API_TOKEN is set.
Errors share one shape: {"success": false, "error": {"code", "message"}} (409 adds run_id).

Backup lifecycle: \`backup_policy\` (run body and config file) keeps, per environment and \`default\`,
what any of restic's forget rules keeps: keep_last, keep_hourly, keep_daily, keep_weekly,
keep_monthly, keep_yearly, keep_within. Two keys are read from the config file only (no request
can set or edit them): \`backup_archive\` (a local folder under the root or an S3 bucket; backups
no rule keeps are gzipped, archived and verified there instead of deleted) and \`archive_policy\`
(the same rules, applied to the archived copies by every real run). GET /archive lists the
target, POST /archive/restore puts a copy back.`;

const notRunning = (): never => {
  throw new Error('openapi generation does not serve requests');
};

/** The OpenAPI 3.1 document of every route, as YAML. Touches no file and no database. */
export async function renderOpenApi(): Promise<string> {
  const settings = loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root: '.' });
  const engine: Engine = { runOnce: notRunning, current: notRunning };
  const store = { close() {} } as unknown as StateStore;
  const app = buildApp({
    settings,
    engine,
    store,
    logger: pino({ level: 'silent' }),
    beforeRoutes: (instance) => {
      instance.register(swagger, {
        openapi: {
          openapi: '3.1.0',
          info: { title: 'cleanup-worker', version: '1.0.0', description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
          servers: [{ url: 'http://127.0.0.1:8080' }],
          components: {
            securitySchemes: {
              bearerAuth: { type: 'http', scheme: 'bearer', description: 'CLEANUP_API_TOKEN, when set.' },
            },
          },
        },
        // Fastify's swagger marks every body required; ours is optional (absent = dry run with defaults).
        transformObject: (doc) => {
          const post = (doc as { openapiObject?: OpenApiDoc }).openapiObject?.paths?.[API_PREFIX]?.post;
          if (post?.requestBody) post.requestBody.required = false;
          return (doc as { openapiObject: object }).openapiObject;
        },
        transform: ({ schema, url }) => ({
          // /health is public: say so (security: []), so no operation is left without a declared security.
          schema: { ...schema, security: url.startsWith('/api/') ? [{ bearerAuth: [] }] : [] },
          url,
        }),
      });
    },
  });
  try {
    await app.ready();
    return app.swagger({ yaml: true });
  } finally {
    await app.close();
  }
}
