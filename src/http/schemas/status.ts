/** Schema of `GET /api/system/cleanup/status`. */
import { Type } from '@sinclair/typebox';
import { CategoryNameSchema, Nullable, StatsSchema, TimestampSchema, TriggerSchema } from './common.js';

export const RunningSchema = Type.Object(
  {
    run_id: Type.String(),
    trigger: TriggerSchema,
    dry_run: Type.Boolean(),
    started_at: TimestampSchema,
    pid: Type.Integer({ description: 'The process running it (this server, or e.g. a CLI run).' }),
    progress: Type.Object(
      {
        category: Nullable(CategoryNameSchema),
        phase: Nullable(Type.String()),
        items_so_far: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'The run in progress.' },
);

export const StatusSchema = Type.Object(
  {
    success: Type.Literal(true),
    daemon_running: Type.Boolean({ description: "Whether this server's schedule is active." }),
    daemon_pid: Nullable(Type.Integer(), { description: 'The process running the schedule, or null.' }),
    last_run: Nullable(TimestampSchema, { description: 'When the most recent real run finished.' }),
    last_stats: Nullable(StatsSchema),
    running: Nullable(RunningSchema),
    schedule: Type.String({ description: 'The cron expression, or `off`.' }),
    timezone: Nullable(Type.String(), { description: "The schedule's time zone (CLEANUP_TZ / config `timezone`); null: the server's local zone." }),
    next_run: Nullable(TimestampSchema),
    disk: Nullable(
      Type.Object(
        { free_bytes: Type.Integer({ minimum: 0 }), total_bytes: Type.Integer({ minimum: 0 }) },
        { additionalProperties: false, description: "Space on the root's file system (free: available to the service)." },
      ),
    ),
  },
  { additionalProperties: false, description: 'The service status.' },
);
