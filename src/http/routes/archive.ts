/**
 * The archive of backups (issue 12): `GET /archive` lists what the target holds, `POST
 * /archive/restore` puts one archived backup back (digest checked, never overwriting). Both
 * answer 404 when no `backup_archive` is configured, 502 when the target fails.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Settings } from '../../config/settings.js';
import { listArchived, restoreBackup } from '../../engine/backup-archive/restore.js';
import { type ArchiveTarget, createTarget } from '../../targets/index.js';
import { NotFoundError } from '../errors.js';
import { ARCHIVE_LIMIT, ArchiveListSchema, ArchiveQuerySchema, RestoreBodySchema, RestoreResultSchema } from '../schemas/archive.js';
import { ApiErrorResponses, ErrorResponseSchema } from '../schemas/common.js';
import { parseQueryInt } from './runs.js';

export interface ArchiveRoutesOptions {
  settings: Settings;
}

const NOT_CONFIGURED = ErrorResponseSchema('No archive target is configured (ERR_CLEANUP_NOT_FOUND), or no such archived backup.');
const UPSTREAM = ErrorResponseSchema('The archive target failed (ERR_CLEANUP_ARCHIVE_UNAVAILABLE) or an archived copy does not match its digest (ERR_CLEANUP_ARCHIVE_CORRUPT).');

const ARCHIVE_CONFIG =
  'The target is the config file\'s `backup_archive` (`{"target": {"type": "local", "dir": "archive/backups"}}` or `{"target": {"type": "s3", "bucket": …}}`; config file only, S3 credentials from the AWS SDK chain); `archive_policy` (config file only, the rules of `backup_policy`) decides which archived copies each real run keeps there.';

/** Registers the two archive routes. */
export const archiveRoutes: FastifyPluginAsyncTypebox<ArchiveRoutesOptions> = async (app, opts) => {
  const withTarget = async <T>(fn: (target: ArchiveTarget) => Promise<T>): Promise<T> => {
    const cfg = opts.settings.backupArchive;
    if (!cfg) throw new NotFoundError('no archive target is configured (set backup_archive in the config file)');
    const target = createTarget(opts.settings.root, cfg.target);
    try {
      return await fn(target);
    } finally {
      target.close();
    }
  };

  app.get(
    '/archive',
    {
      schema: {
        summary: 'What the archive target holds, with sizes and dates',
        description: ARCHIVE_CONFIG,
        operationId: 'listArchivedBackups',
        tags: ['archive'],
        querystring: ArchiveQuerySchema,
        response: { 200: ArchiveListSchema, ...ApiErrorResponses, 404: NOT_CONFIGURED, 502: UPSTREAM },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = parseQueryInt(q.limit, 'limit', 1, ARCHIVE_LIMIT.max, ARCHIVE_LIMIT.default);
      const offset = parseQueryInt(q.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0);
      return withTarget(async (target) => {
        const all = await listArchived(target, q.env);
        const objects = all.slice(offset, offset + limit).map((o) => ({ key: o.key, env: o.env, name: o.name, size: o.size, last_modified: new Date(o.lastModifiedMs).toISOString() }));
        return { success: true as const, target: target.name, objects, total: all.length };
      });
    },
  );

  app.post(
    '/archive/restore',
    {
      schema: {
        summary: 'Restore an archived backup (digest checked; never overwrites)',
        description: `Fetches the copy, checks its SHA-256, decompresses it and writes it to \`backups/<env>/\` (or \`to\`); an existing file is never replaced. ${ARCHIVE_CONFIG}`,
        operationId: 'restoreArchivedBackup',
        tags: ['archive'],
        body: RestoreBodySchema,
        response: {
          200: RestoreResultSchema,
          ...ApiErrorResponses,
          404: NOT_CONFIGURED,
          409: ErrorResponseSchema('A file already exists where the backup would be restored (ERR_CLEANUP_EXISTS); nothing was overwritten.'),
          502: UPSTREAM,
        },
      },
    },
    async (request) => {
      const { env, name, to } = request.body;
      return withTarget(async (target) => {
        const r = await restoreBackup(opts.settings, target, { env, name, to: to === undefined ? undefined : { rel: to } });
        return { success: true as const, key: r.key, from: r.from, restored_to: r.restoredTo, bytes: r.bytes, sha256: r.sha256 };
      });
    },
  );
};
