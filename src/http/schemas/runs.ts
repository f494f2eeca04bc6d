/** Schemas of the run history routes: `GET /api/system/cleanup/runs` and `/runs/:id`. */
import { Type } from '@sinclair/typebox';
import {
  CategoryNameSchema,
  ItemErrorSchema,
  StringEnum,
  Nullable,
  ITEM_ACTIONS,
  ItemSchema,
  KeptSchema,
  QueryIntSchema,
  RunStatusSchema,
  SkippedSchema,
  SpaceTrashedSchema,
  StatsSchema,
  TimestampSchema,
  TriggerSchema,
} from './common.js';

export const RUNS_LIMIT = { default: 50, max: 500 } as const;
export const ITEMS_LIMIT = { default: 100, max: 1000 } as const;

export const RunsQuerySchema = Type.Object(
  {
    limit: Type.Optional(QueryIntSchema(`How many runs, 1 to ${RUNS_LIMIT.max} (default ${RUNS_LIMIT.default}).`)),
    offset: Type.Optional(QueryIntSchema('How many of the newest runs to skip (default 0).')),
  },
  { additionalProperties: false },
);

export const RunParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100, description: 'The run_id.' }) },
  { additionalProperties: false },
);

export const RunItemsQuerySchema = Type.Object(
  {
    items_limit: Type.Optional(QueryIntSchema(`How many items, 1 to ${ITEMS_LIMIT.max} (default ${ITEMS_LIMIT.default}).`)),
    items_offset: Type.Optional(QueryIntSchema('How many items to skip (default 0).')),
    category: Type.Optional(CategoryNameSchema),
    action: Type.Optional(StringEnum(ITEM_ACTIONS, { description: 'Only items with this action.' })),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });

export const RunSummarySchema = Type.Object(
  {
    run_id: Type.String(),
    trigger: TriggerSchema,
    dry_run: Type.Boolean(),
    started_at: TimestampSchema,
    finished_at: Nullable(TimestampSchema),
    status: RunStatusSchema,
    stats: StatsSchema,
    space_trashed_mb: SpaceTrashedSchema,
    items_total: Count,
    skipped_total: Count,
    kept_total: Count,
    errors_total: Count,
    pid: Type.Integer(),
  },
  { additionalProperties: false },
);

export const RunsListSchema = Type.Object(
  {
    success: Type.Literal(true),
    runs: Type.Array(RunSummarySchema, { description: 'Newest first.' }),
    total: Count,
  },
  { additionalProperties: false, description: 'A page of the run history.' },
);

export const RunDetailSchema = Type.Object(
  {
    success: Type.Literal(true),
    run: Type.Object(
      {
        ...RunSummarySchema.properties,
        warnings: Type.Array(Type.String()),
        skipped: Type.Array(SkippedSchema, { description: 'The first 1000 skipped items.' }),
        kept: Type.Array(KeptSchema, { description: 'The first 1000 backups the retention policy kept, and why.' }),
        errors: Type.Array(ItemErrorSchema),
        plan_id: Nullable(Type.String(), { description: 'Its id when it is a plan that can be applied (a finished dry run, a refused run).' }),
        applied_plan_id: Nullable(Type.String(), { description: 'The plan this run carried out.' }),
        refused_reason: Nullable(Type.String(), { description: 'Why a brake refused the run.' }),
      },
      { additionalProperties: false },
    ),
    items: Type.Array(ItemSchema),
    items_total: Count,
    items_matching: Type.Optional(Type.Integer({ minimum: 0, description: 'With category or action: how many items match.' })),
  },
  { additionalProperties: false, description: 'The run and a page of its items.' },
);
