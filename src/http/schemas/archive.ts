/** Schemas of the archive routes: `GET /api/system/cleanup/archive` and `POST /archive/restore` (issue 12). */
import { Type } from '@sinclair/typebox';
import { EnvNameSchema } from '../../config/schema.js';
import { QueryIntSchema, TimestampSchema } from './common.js';

export const ARCHIVE_LIMIT = { default: 100, max: 1000 } as const;

export const ArchiveQuerySchema = Type.Object(
  {
    env: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\\\x00]+$', description: 'Only this environment (case-insensitive).' })),
    limit: Type.Optional(QueryIntSchema(`How many objects, 1 to ${ARCHIVE_LIMIT.max} (default ${ARCHIVE_LIMIT.default}).`)),
    offset: Type.Optional(QueryIntSchema('How many objects to skip, in key order (default 0).')),
  },
  { additionalProperties: false },
);

export const ArchivedObjectSchema = Type.Object(
  {
    key: Type.String({ description: '`<env>/<name>` relative to the target.' }),
    env: Type.String(),
    name: Type.String({ description: 'The stored name (`.gz` added when compressed); restore accepts it or the original name.' }),
    size: Type.Integer({ minimum: 0, description: 'Stored bytes.' }),
    last_modified: TimestampSchema,
  },
  { additionalProperties: false },
);

export const ArchiveListSchema = Type.Object(
  {
    success: Type.Literal(true),
    target: Type.String({ description: 'Where the archive is: `s3://bucket/prefix/` or a folder under the root.' }),
    objects: Type.Array(ArchivedObjectSchema),
    total: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export const RestoreBodySchema = Type.Object(
  {
    env: EnvNameSchema,
    name: Type.String({ minLength: 1, maxLength: 255, description: 'The backup name (`architect_20260101_000000.db`) or its stored name (`….db.gz`).' }),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'An existing folder relative to the root; default `backups/<env>/`.' })),
  },
  { additionalProperties: false },
);

export const RestoreResultSchema = Type.Object(
  {
    success: Type.Literal(true),
    key: Type.String(),
    from: Type.String({ description: 'The archived object: `s3://bucket/prefix/prod/x.db.gz`.' }),
    restored_to: Type.String({ description: 'Root-relative path of the restored file.' }),
    bytes: Type.Integer({ minimum: 0 }),
    sha256: Type.String({ description: 'SHA-256 of the restored bytes, checked against the one recorded when it was archived.' }),
  },
  { additionalProperties: false },
);
