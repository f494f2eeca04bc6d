/** Schemas of `POST /api/system/cleanup/plans/:id/apply` (issue 14): apply exactly a reviewed plan. */
import { Type } from '@sinclair/typebox';

export const PlanParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 100, description: "The plan_id of a dry run's result (or the run_id of a refused run)." }) },
  { additionalProperties: false },
);

export const ApplyBodySchema = Type.Object(
  {},
  {
    additionalProperties: false,
    description: 'No field: a plan is applied with the settings it was made with. An absent body is the same as `{}`.',
    examples: [{}],
  },
);

/** An applied plan's result, as an example for the OpenAPI description. */
export const APPLY_EXAMPLE = {
  success: true,
  dry_run: false,
  run_id: '6d1f7f8e-4f7a-4c1b-9a55-0b7d5f3e2a10',
  trigger: 'api',
  started_at: '2026-02-07T19:08:02.113Z',
  finished_at: '2026-02-07T19:08:02.301Z',
  duration_ms: 188,
  status: 'succeeded',
  stats: { backups_deleted: 2, logs_deleted: 1, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 6.2 },
  space_trashed_mb: 0,
  items: [{ category: 'backups', target: 'backups/prod/architect_20260101_000000.db', bytes: 3240000, action: 'delete', reason: 'older than the 10 most recent prod backups' }],
  items_total: 3,
  skipped: [{ category: 'logs', target: 'logs/worker.log.3', reason: 'changed since it was planned (size)' }],
  skipped_total: 1,
  kept: [],
  kept_total: 0,
  errors: [],
  warnings: ['1 item that qualifies now but is not in plan 0b9c2d47-8e1f-4a63-b1d2-5c6e7f809a1b: kept (a new preview lists it)'],
  applied_plan_id: '0b9c2d47-8e1f-4a63-b1d2-5c6e7f809a1b',
};
