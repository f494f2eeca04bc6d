/**
 * TypeBox schemas shared by the API, the config file and the CLI, so one rule set
 * validates every way in. Every object is closed (`additionalProperties: false`).
 */
import { type Static, type TInteger, type TOptional, Type } from '@sinclair/typebox';
import { CATEGORY_LIST, type CategoryDescriptor, MAX_COUNT } from '../domain/categories/index.js';
import type { Category } from '../domain/types.js';
import { NotificationsSchema, PublicUrlSchema } from './notifications.js';
import { ArchivePolicySchema, BackupArchiveSchema } from './archive-schema.js';
import { retentionRulesSchema } from './retention-schema.js';
import { TrashSchema } from './trash-settings.js';
import { LimitsSchema } from './limits.js';

export { MAX_COUNT };

export const PositiveIntSchema = Type.Integer({ minimum: 1, maximum: MAX_COUNT });

/** An environment's name (a backups sub-folder): no slash, backslash or NUL. */
export const EnvNameSchema = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\\\x00]+$' });

export const BackupRetentionSchema = Type.Union(
  [
    PositiveIntSchema,
    Type.Record(EnvNameSchema, PositiveIntSchema, {
      additionalProperties: false,
      maxProperties: 256,
    }),
  ],
  { description: 'Backups kept per environment: an integer for every environment, or an object environment -> integer (merged over the defaults; `default` covers environments not named).' },
);

/**
 * One environment's restic-style rules (issue 12). A backup is kept if any rule keeps it;
 * `keep_last` is at least 1 (SPEC 3.2: the newest backups are never all removed).
 */
export const RetentionRulesSchema = retentionRulesSchema('backup', 'backups');

export const BackupPolicySchema = Type.Record(EnvNameSchema, RetentionRulesSchema, {
  additionalProperties: false,
  maxProperties: 256,
  description:
    'Retention rules per environment (restic forget semantics; buckets cut in CLEANUP_TZ, else the machine\'s zone), merged rule by rule over the config file\'s; `default` covers environments not named. Each environment also keeps its backup_retention (keep_last).',
});

/** The category names of `list` as a schema. */
export function categorySchemaFor(list: readonly CategoryDescriptor[]) {
  return Type.Unsafe<Category>(Type.Union(list.map((d) => Type.Literal(d.name)), { description: 'A cleanup category.' }));
}

export const CategorySchema = categorySchemaFor(CATEGORY_LIST);

type AgeField = TOptional<TInteger>;

/**
 * The tunable retention fields of `list`'s rules (API body fields, config keys and CLI flags
 * alike): `backup_retention` and `backup_policy`, and one positive integer per age rule (`log_age_days` …).
 */
export function retentionFieldsFor(list: readonly CategoryDescriptor[]) {
  const fields: Record<string, AgeField | TOptional<typeof BackupRetentionSchema> | TOptional<typeof BackupPolicySchema>> = {};
  for (const d of list) {
    const r = d.rule;
    if (r.kind === 'retention') {
      fields[r.setting] = Type.Optional(BackupRetentionSchema);
      fields.backup_policy = Type.Optional(BackupPolicySchema);
    } else {
      fields[r.setting] = Type.Optional(Type.Integer({ minimum: 1, maximum: r.max }));
    }
  }
  return fields as {
    backup_retention: TOptional<typeof BackupRetentionSchema>;
    backup_policy: TOptional<typeof BackupPolicySchema>;
    log_age_days: AgeField;
    task_age_days: AgeField;
    error_age_days: AgeField;
    prompt_age_days: AgeField;
    temp_age_hours: AgeField;
  };
}

/** The built-in categories' retention fields. */
export const RetentionFields = retentionFieldsFor(CATEGORY_LIST);

export const RunOverridesSchema = Type.Object(
  {
    ...RetentionFields,
    categories: Type.Optional(Type.Array(CategorySchema, { uniqueItems: true, minItems: 1, maxItems: CATEGORY_LIST.length })),
  },
  { additionalProperties: false },
);
export type RunOverrides = Static<typeof RunOverridesSchema>;

const RelPath = Type.String({ minLength: 1, maxLength: 1024 });

export const PathsSchema = Type.Object(
  {
    backups: Type.Optional(RelPath),
    logs: Type.Optional(RelPath),
    database: Type.Optional(RelPath),
    temp: Type.Optional(Type.Array(RelPath, { maxItems: 32 })),
    sessions: Type.Optional(RelPath),
    archive: Type.Optional(RelPath),
    state: Type.Optional(RelPath),
    log_file: Type.Optional(RelPath),
  },
  { additionalProperties: false },
);

const Ident = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });

export const TableConfigSchema = Type.Object(
  {
    table: Ident,
    /** tasks: status column; errors: status column (used when no resolved column). */
    status_column: Type.Optional(Ident),
    /** errors only: boolean-like resolved flag. */
    resolved_column: Type.Optional(Ident),
    age_column: Type.Optional(Ident),
  },
  { additionalProperties: false },
);
export type TableConfig = Static<typeof TableConfigSchema>;

export const TablesSchema = Type.Object(
  {
    tasks: Type.Optional(TableConfigSchema),
    errors: Type.Optional(TableConfigSchema),
    prompts: Type.Optional(TableConfigSchema),
  },
  { additionalProperties: false },
);

export const ConfigFileSchema = Type.Object(
  {
    ...RetentionFields,
    root: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    paths: Type.Optional(PathsSchema),
    protect: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 1000 })),
    tables: Type.Optional(TablesSchema),
    schedule: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    notifications: Type.Optional(NotificationsSchema),
    public_url: Type.Optional(PublicUrlSchema),
    backup_archive: Type.Optional(BackupArchiveSchema),
    archive_policy: Type.Optional(ArchivePolicySchema),
    trash: Type.Optional(TrashSchema),
    limits: Type.Optional(LimitsSchema),
  },
  { additionalProperties: false },
);
export type ConfigFile = Static<typeof ConfigFileSchema>;
