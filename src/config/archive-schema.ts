/**
 * Config schemas of issue 12: `backup_archive` (compress, then archive to a local folder or S3
 * instead of deleting) and `archive_policy` (retention of the archived copies). Config-file keys
 * only: a request body cannot point backups at another store. Every object is closed; S3
 * credentials have no key here on purpose (archive-settings.ts refuses them by name).
 */
import { type Static, Type } from '@sinclair/typebox';
import { retentionRulesSchema } from './retention-schema.js';

const RelPath = Type.String({ minLength: 1, maxLength: 1024 });

export const LocalTargetSchema = Type.Object(
  {
    type: Type.Literal('local'),
    dir: RelPath,
  },
  { additionalProperties: false, description: 'A folder under the root, e.g. "archive/backups".' },
);

export const S3TargetSchema = Type.Object(
  {
    type: Type.Literal('s3'),
    bucket: Type.String({ minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$' }),
    prefix: Type.Optional(Type.String({ maxLength: 512, pattern: '^[^\\\\\\x00]*$' })),
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' })),
    endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    force_path_style: Type.Optional(Type.Boolean()),
    timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  },
  { additionalProperties: false, description: 'AWS S3 or an S3-compatible store; credentials come from the AWS SDK chain only.' },
);

export const TargetSchema = Type.Union([LocalTargetSchema, S3TargetSchema]);
export type LocalTargetConfig = Static<typeof LocalTargetSchema>;
export type S3TargetConfigSchema = Static<typeof S3TargetSchema>;
export type TargetConfig = LocalTargetConfig | S3TargetConfigSchema;

export const BackupArchiveSchema = Type.Object(
  {
    compress: Type.Optional(Type.Boolean({ description: 'gzip before archiving (default true); .gz/.zst/.xz/.bz2 files are stored as they are.' })),
    target: TargetSchema,
  },
  { additionalProperties: false, description: 'Archive backups the policy does not keep, instead of deleting them.' },
);
export type BackupArchiveConfig = Static<typeof BackupArchiveSchema>;

/**
 * One environment's rules for archived copies: the same restic-style rule set as `backup_policy`
 * (keep_last, keep_hourly … keep_yearly, keep_within), applied to the target's listing.
 */
export const ArchiveRulesSchema = retentionRulesSchema('archived copy', 'archived copies');

export const ArchivePolicySchema = Type.Record(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\\\x00]+$' }), ArchiveRulesSchema, {
  additionalProperties: false,
  maxProperties: 256,
  description:
    'Retention of archived copies per environment (and `default`), with the rules of backup_policy (restic forget semantics, buckets cut in CLEANUP_TZ, else the machine\'s zone); copies no rule keeps are deleted from the target. Config file only.',
});
export type ArchivePolicy = Readonly<Record<string, Readonly<Static<typeof ArchiveRulesSchema>>>>;

/** What the settings hold once `backup_archive` is validated. */
export interface BackupArchiveSettings {
  compress: boolean;
  target: Readonly<TargetConfig>;
}
