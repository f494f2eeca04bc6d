/** Schemas of `GET /api/system/cleanup/stats`: space freed over time. */
import { Type } from '@sinclair/typebox';
import { StringEnum, TimestampSchema, TriggerSchema } from './common.js';

export const BucketSchema = StringEnum(['hour', 'day', 'week'], { description: 'Bucket size (UTC; weeks start on Monday). Default `day`.' });

/** The longest range per bucket size, so one request never builds more than a few thousand buckets. */
export const MAX_RANGE_DAYS = { hour: 93, day: 3660, week: 7320 } as const;

export const StatsQuerySchema = Type.Object(
  {
    bucket: Type.Optional(BucketSchema),
    from: Type.Optional(
      Type.String({ format: 'date-time', description: 'Start (inclusive), ISO-8601. Default: 30 days before `to` (7 for hour, 182 for week).' }),
    ),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'End (exclusive), ISO-8601. Default: now.' })),
    trigger: Type.Optional(TriggerSchema),
    dry_run: Type.Optional(StringEnum(['true', 'false'], { description: 'Dry runs instead of real ones (default `false`: real runs only).' })),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });
const Amount = Type.Object({ items: Count, bytes: Count }, { additionalProperties: false });
const ByCategory = Type.Record(Type.String(), Amount, { description: 'Per category that removed something: items and bytes.' });

export const StatsBucketSchema = Type.Object(
  {
    start: TimestampSchema,
    runs: Count,
    items: Count,
    bytes: Type.Integer({ minimum: 0, description: 'Bytes of removed files (database rows free no disk space).' }),
    by_category: ByCategory,
  },
  { additionalProperties: false },
);

export const StatsResponseSchema = Type.Object(
  {
    success: Type.Literal(true),
    bucket: BucketSchema,
    from: TimestampSchema,
    to: TimestampSchema,
    dry_run: Type.Boolean(),
    buckets: Type.Array(StatsBucketSchema, { description: 'Every bucket of the range, oldest first; empty ones are zero.' }),
    totals: Type.Object({ runs: Count, items: Count, bytes: Count, by_category: ByCategory }, { additionalProperties: false }),
  },
  {
    additionalProperties: false,
    description: 'Items removed and bytes freed per category and bucket, from the run history.',
    examples: [
      {
        success: true,
        bucket: 'day',
        from: '2026-02-01T00:00:00.000Z',
        to: '2026-02-02T00:00:00.000Z',
        dry_run: false,
        buckets: [{ start: '2026-02-01T00:00:00.000Z', runs: 24, items: 3, bytes: 3240000, by_category: { backups: { items: 3, bytes: 3240000 } } }],
        totals: { runs: 24, items: 3, bytes: 3240000, by_category: { backups: { items: 3, bytes: 3240000 } } },
      },
    ],
  },
);
