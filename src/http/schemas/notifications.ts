/** Schemas of `GET /api/system/cleanup/notifications/deliveries` and `POST …/notifications/test`. */
import { Type } from '@sinclair/typebox';
import { Nullable, QueryIntSchema, StringEnum, TimestampSchema } from './common.js';

export const DELIVERIES_LIMIT = { default: 50, max: 500 } as const;

const ChannelSchema = StringEnum(['webhook', 'email'], { description: 'Where the notification goes.' });
const OutcomeSchema = StringEnum(['delivered', 'retry', 'dead', 'disabled'], {
  description: 'What the attempt did: `retry` means it failed and will be tried again at `next_attempt_at`; `dead` means no more attempts; `disabled` means the hook answered 410 and is off.',
});
const TargetSchema = Type.String({ description: 'The webhook URL without its query string, or `email`.' });

export const DeliveriesQuerySchema = Type.Object(
  { limit: Type.Optional(QueryIntSchema(`How many attempts, 1 to ${DELIVERIES_LIMIT.max} (default ${DELIVERIES_LIMIT.default}).`)) },
  { additionalProperties: false },
);

export const AttemptSchema = Type.Object(
  {
    delivery_id: Type.String({ description: 'Sent as the Cleanup-Delivery header; the same on every attempt of one delivery.' }),
    event: Type.String({ description: '`run.finished`, `run.failed`, `run.refused`, `archive.failed` or `test`.' }),
    run_id: Nullable(Type.String()),
    channel: ChannelSchema,
    target: TargetSchema,
    attempt: Type.Integer({ minimum: 1, description: 'Which attempt of the delivery this was.' }),
    attempted_at: TimestampSchema,
    duration_ms: Type.Integer({ minimum: 0 }),
    outcome: OutcomeSchema,
    status_code: Nullable(Type.Integer(), { description: 'The HTTP status a webhook answered; null for email and when nothing answered.' }),
    error: Nullable(Type.String()),
    state: StringEnum(['pending', 'delivered', 'dead', 'disabled'], { description: "The delivery's state now." }),
    next_attempt_at: Nullable(TimestampSchema, { description: 'When a pending delivery is tried next.' }),
  },
  { additionalProperties: false },
);

export const HookSchema = Type.Object(
  {
    target: TargetSchema,
    events: Type.Array(Type.String()),
    disabled_at: Nullable(TimestampSchema, { description: 'Set when the hook answered 410 Gone; a successful test turns it back on.' }),
    disabled_reason: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const DeliveriesSchema = Type.Object(
  {
    success: Type.Literal(true),
    webhooks: Type.Array(HookSchema),
    email: Nullable(Type.Object({ to: Type.Array(Type.String()), on: Type.String() }, { additionalProperties: false })),
    outbox_depth: Type.Integer({ minimum: 0, description: 'Pending deliveries plus events not yet routed.' }),
    attempts: Type.Array(AttemptSchema, { description: 'The most recent attempts, newest first.' }),
  },
  { additionalProperties: false, description: 'Configured channels and recent delivery attempts. Secrets are never shown.' },
);

export const TestResultSchema = Type.Object(
  {
    channel: ChannelSchema,
    target: TargetSchema,
    delivery_id: Type.String(),
    outcome: OutcomeSchema,
    status_code: Nullable(Type.Integer()),
    error: Nullable(Type.String()),
  },
  { additionalProperties: false },
);

export const TestSchema = Type.Object(
  {
    success: Type.Boolean({ description: 'True when at least one channel is configured and every one got the test.' }),
    results: Type.Array(TestResultSchema, { description: 'One per webhook, and one for email when configured. Test deliveries are not retried.' }),
  },
  { additionalProperties: false, description: 'What the signed test event did.' },
);
