/** Schemas of `POST /api/system/cleanup`: the request body (SPEC section 4) and the run result. */
import { type Static, Type } from '@sinclair/typebox';
import { RunOverridesSchema } from '../../config/schema.js';
import {
  ItemErrorSchema,
  ItemSchema,
  KeptSchema,
  RunStatusSchema,
  SkippedSchema,
  SpaceTrashedSchema,
  StatsSchema,
  TimestampSchema,
  TriggerSchema,
} from './common.js';

/** The run's overrides (shared with the config file and CLI) plus `dry_run`. Every field optional. */
export const CleanupBodySchema = Type.Object(
  {
    dry_run: Type.Optional(
      Type.Boolean({ default: true, description: 'Report what would be removed without removing it. Only `false` deletes.' }),
    ),
    ...RunOverridesSchema.properties,
    confirm_large: Type.Optional(
      Type.Boolean({ description: 'A real run only: confirms a run the brake would refuse as unusual, or beyond a limits cap (README, Brakes).' }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Every field is optional; an empty or absent body is a dry run with the defaults.',
  },
);
export type CleanupBody = Static<typeof CleanupBodySchema>;

const Count = Type.Integer({ minimum: 0 });

export const RunResultSchema = Type.Object(
  {
    success: Type.Boolean({ description: 'False when any item failed (see `errors`).' }),
    dry_run: Type.Boolean(),
    run_id: Type.String(),
    trigger: TriggerSchema,
    started_at: TimestampSchema,
    finished_at: TimestampSchema,
    duration_ms: Count,
    status: RunStatusSchema,
    stats: StatsSchema,
    space_trashed_mb: SpaceTrashedSchema,
    items: Type.Array(ItemSchema, { description: 'The first 1000 items; the run history has all.' }),
    items_total: Count,
    skipped: Type.Array(SkippedSchema, { description: 'The first 1000 skipped items.' }),
    skipped_total: Count,
    kept: Type.Array(KeptSchema, { description: 'The first 1000 backups the retention policy keeps, with every rule that keeps each.' }),
    kept_total: Count,
    errors: Type.Array(ItemErrorSchema),
    warnings: Type.Array(Type.String()),
    plan_id: Type.Optional(
      Type.String({ description: 'A dry run (or a refused run): its plan, which POST /plans/{plan_id}/apply carries out exactly, once, before it expires.' }),
    ),
    applied_plan_id: Type.Optional(Type.String({ description: 'The plan this run carried out.' })),
    refused_reason: Type.Optional(Type.String({ description: 'Status `refused`: why (the category and the numbers, or the clock), and how to confirm.' })),
  },
  { additionalProperties: false, description: 'The run finished (see `success` and `status` for how it went).' },
);
