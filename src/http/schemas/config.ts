/** Schemas of `GET`/`PUT /api/system/cleanup/config` and `GET /config/history`. */
import { Type } from '@sinclair/typebox';
import { EditableConfigSchema } from '../../config/editable.js';
import { Nullable, QueryIntSchema, StatsSchema, StringEnum, TimestampSchema } from './common.js';

export const HISTORY_LIMIT = { default: 50, max: 500 } as const;

const EXAMPLE_CONFIG = {
  backup_retention: { prod: 10, qa: 5, dev: 5, test: 3, default: 5 },
  log_age_days: 30,
  task_age_days: 7,
  error_age_days: 30,
  prompt_age_days: 14,
  temp_age_hours: 24,
  protect: ['logs/keep_me*'],
  schedule: '0 * * * *',
  timezone: 'Europe/Berlin',
};

export const ConfigBodySchema = Type.Object(EditableConfigSchema.properties, {
  additionalProperties: false,
  description: 'The whole editable configuration (absent keys take their defaults). root, paths, tables, backup_archive and archive_policy are config-file only and not editable here.',
  examples: [EXAMPLE_CONFIG],
});

export const ConfigViewSchema = Type.Object(
  {
    success: Type.Literal(true),
    config: ConfigBodySchema,
    persisted_to: StringEnum(['file', 'state'], { description: 'Where a change is saved: the config file, or the state database.' }),
    config_file: Nullable(Type.String()),
    env_overrides: Type.Record(Type.String(), Type.String(), {
      description: 'Settings the environment sets (they win over the panel): field -> variable.',
    }),
    updated_at: Nullable(TimestampSchema, { description: 'The last recorded change.' }),
  },
  { additionalProperties: false, description: 'The effective editable configuration (defaults filled in).' },
);

export const ConfigPutQuerySchema = Type.Object(
  {
    preview: Type.Optional(StringEnum(['true', 'false'], { description: '`true`: save nothing; compare dry runs with the current and the new configuration.' })),
  },
  { additionalProperties: false },
);

const FieldChangeSchema = Type.Object(
  {
    field: Type.String({ description: 'Dotted name, e.g. `backup_retention.prod`.' }),
    from: Type.Optional(Type.Unknown()),
    to: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const ConfigSavedSchema = Type.Object(
  {
    ...ConfigViewSchema.properties,
    changes: Type.Array(FieldChangeSchema, { description: 'What this request changed (empty: nothing, and nothing was recorded).' }),
  },
  { additionalProperties: false, description: 'Saved and applied (the schedule re-armed); the new configuration.' },
);

const DryRunSchema = Type.Object({ run_id: Type.String(), stats: StatsSchema }, { additionalProperties: false });

export const ConfigPreviewSchema = Type.Object(
  {
    success: Type.Literal(true),
    preview: Type.Literal(true),
    changes: Type.Array(FieldChangeSchema),
    current: DryRunSchema,
    proposed: DryRunSchema,
    last_real: Nullable(StatsSchema, { description: 'The last real run, for scale.' }),
    removes_more: Type.Boolean({ description: 'Whether the new configuration removes more of some category than the current one.' }),
  },
  {
    additionalProperties: false,
    description: 'Nothing saved: a dry run with the current and one with the new configuration, at the same moment (both recorded as dry runs).',
  },
);

export const HistoryQuerySchema = Type.Object(
  {
    limit: Type.Optional(QueryIntSchema(`How many changes, 1 to ${HISTORY_LIMIT.max} (default ${HISTORY_LIMIT.default}).`)),
    offset: Type.Optional(QueryIntSchema('How many of the newest changes to skip (default 0).')),
  },
  { additionalProperties: false },
);

export const HistorySchema = Type.Object(
  {
    success: Type.Literal(true),
    changes: Type.Array(
      Type.Object(
        {
          id: Type.Integer(),
          changed_at: TimestampSchema,
          actor: Type.String({ description: '`token` (the CLEANUP_API_TOKEN holder) or `local` (a loopback client, no token set).' }),
          remote: Nullable(Type.String()),
          persisted_to: StringEnum(['file', 'state']),
          changes: Type.Array(FieldChangeSchema),
        },
        { additionalProperties: false },
      ),
      { description: 'Newest first.' },
    ),
    total: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, description: 'Every recorded configuration change.' },
);
