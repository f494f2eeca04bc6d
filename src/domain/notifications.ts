/**
 * What a notification says: the fixed list of events a webhook can subscribe to, the event a
 * finished run raises, and the run as a payload carries it. Shared by the store (which writes a
 * run's events in the transaction that finishes it), the senders and the API schemas.
 */
import { endEventType, type RunEndType } from './events.js';
import type { ItemError, RunStatus, Stats, Trigger } from './types.js';

/**
 * The events a webhook may list in `events` (config): a run's end event (events.ts) and
 * `archive.failed` (a backup could not be archived). `test` is sent only by POST notifications/test.
 */
export const NOTIFICATION_EVENTS = ['run.finished', 'run.failed', 'run.refused', 'archive.failed'] as const;
export type NotificationEvent = RunEndType | 'archive.failed';
export type OutboxEventType = NotificationEvent | 'test';

/** How many of a run's errors a payload carries (the run's history has all of them). */
export const PAYLOAD_ERRORS_CAP = 20;

/** A finished run as webhooks and email see it. */
export interface RunPayload {
  run_id: string;
  trigger: Trigger;
  dry_run: boolean;
  status: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  stats: Stats;
  items_total: number;
  errors_total: number;
  warnings: string[];
  /** The first PAYLOAD_ERRORS_CAP errors. */
  errors: ItemError[];
  /** Bytes removed (or archived) per category; categories that freed nothing are absent. */
  bytes_by_category: Record<string, number>;
}

/** One event as the outbox keeps it, before a delivery gives it an id. */
export interface OutboxEvent {
  id: number;
  type: OutboxEventType;
  run_id: string | null;
  occurred_at: string;
  run: RunPayload | null;
}

/** The event a finished run raises: its end event (events.ts endEventType), by status. */
export function finishEventOf(status: string): NotificationEvent {
  return endEventType(status as RunStatus | 'refused');
}

/** True for a run that someone should hear about when only failures are wanted. */
export function isFailure(type: OutboxEventType, run: RunPayload | null): boolean {
  if (type === 'run.failed' || type === 'run.refused' || type === 'archive.failed') return true;
  return run !== null && (run.status === 'partial' || run.status === 'interrupted' || run.errors_total > 0);
}
