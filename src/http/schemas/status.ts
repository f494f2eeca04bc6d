/** Schema of `GET /api/system/cleanup/status`. */
import { Type } from '@sinclair/typebox';
import { CategoryNameSchema, StatsSchema, TimestampSchema, TriggerSchema } from './common.js';

export const RunningSchema = Type.Object(
  {
    run_id: Type.String(),
    trigger: TriggerSchema,
    dry_run: Type.Boolean(),
    started_at: TimestampSchema,
    pid: Type.Integer({ description: 'The process running it (this server, or e.g. a CLI run).' }),
    progress: Type.Object(
      {
        category: Type.Union([CategoryNameSchema, Type.Null()]),
        phase: Type.Union([Type.String(), Type.Null()]),
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
    daemon_pid: Type.Union([Type.Integer(), Type.Null()], { description: 'The process running the schedule, or null.' }),
    last_run: Type.Union([TimestampSchema, Type.Null()], { description: 'When the most recent real run finished.' }),
    last_stats: Type.Union([StatsSchema, Type.Null()]),
    running: Type.Union([RunningSchema, Type.Null()]),
    schedule: Type.String({ description: 'The cron expression, or `off`.' }),
    next_run: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false, description: 'The service status.' },
);
