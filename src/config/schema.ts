/**
 * TypeBox schemas shared by the API, the config file and the CLI, so one rule set
 * validates every way in. Every object is closed (`additionalProperties: false`).
 */
import { type Static, Type } from '@sinclair/typebox';
import { CATEGORIES } from '../domain/types.js';

/** Largest age/retention we accept: ~27 years of days keeps every date computation finite. */
export const MAX_COUNT = 10_000;

export const PositiveIntSchema = Type.Integer({ minimum: 1, maximum: MAX_COUNT });

export const EnvNameSchema = Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\\\x00]+$' });

export const BackupRetentionSchema = Type.Union(
  [
    PositiveIntSchema,
    Type.Record(Type.String({ minLength: 1, maxLength: 128, pattern: '^[^/\\\\\\x00]+$' }), PositiveIntSchema, {
      additionalProperties: false,
      maxProperties: 256,
    }),
  ],
  { description: 'Backups kept per environment: an integer for every environment, or an object environment -> integer (merged over the defaults; `default` covers environments not named).' },
);

export const CategorySchema = Type.Union(
  CATEGORIES.map((c) => Type.Literal(c)),
  { description: 'A cleanup category.' },
);

/** The tunable retention fields: API body fields, config keys and CLI flags alike. */
export const RetentionFields = {
  backup_retention: Type.Optional(BackupRetentionSchema),
  log_age_days: Type.Optional(PositiveIntSchema),
  task_age_days: Type.Optional(PositiveIntSchema),
  error_age_days: Type.Optional(PositiveIntSchema),
  prompt_age_days: Type.Optional(PositiveIntSchema),
  temp_age_hours: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT * 24 })),
};

export const RunOverridesSchema = Type.Object(
  {
    ...RetentionFields,
    categories: Type.Optional(Type.Array(CategorySchema, { uniqueItems: true, minItems: 1, maxItems: CATEGORIES.length })),
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
  },
  { additionalProperties: false },
);
export type ConfigFile = Static<typeof ConfigFileSchema>;
