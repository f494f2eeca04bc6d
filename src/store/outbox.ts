/**
 * The notification outbox in the state database. A run's events are written by the store in
 * the transaction that finishes the run (state-store.ts finishRun calls recordRun), so a run is
 * never recorded without its events nor the other way round. A sender (notify/sender.ts) then
 * turns each event into one delivery per matching hook or email, and works the deliveries off:
 * it leases a due delivery (so two processes, the server and a CLI, never send the same one at
 * once), attempts it, and records the attempt and the delivery's new state in one transaction.
 * A delivered delivery is never attempted again.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { finishEventOf, type NotificationEvent, type OutboxEvent, type OutboxEventType, type RunPayload } from '../domain/notifications.js';

/** Appended to state-store.ts's MIGRATIONS. */
export const OUTBOX_MIGRATION = `
  CREATE TABLE outbox_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    run_id TEXT,
    occurred_at TEXT NOT NULL,
    payload TEXT,
    expanded_at TEXT
  );
  CREATE INDEX outbox_events_unexpanded ON outbox_events (expanded_at, id);
  CREATE TABLE outbox_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    event_id INTEGER NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    lease_until INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX outbox_deliveries_due ON outbox_deliveries (state, next_attempt_at);
  CREATE INDEX outbox_deliveries_event ON outbox_deliveries (event_id);
  CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery INTEGER NOT NULL,
    attempted_at TEXT NOT NULL,
    duration_ms INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    status_code INTEGER,
    error TEXT
  );
  CREATE TABLE disabled_hooks (
    url TEXT PRIMARY KEY,
    disabled_at TEXT NOT NULL,
    reason TEXT NOT NULL
  );`;

export type Channel = 'webhook' | 'email';
export type DeliveryState = 'pending' | 'delivered' | 'dead' | 'disabled';
/** What one attempt did: `retry` leaves the delivery pending for its next attempt. */
export type AttemptOutcome = 'delivered' | 'retry' | 'dead' | 'disabled';

/** A delivery leased to a sender. */
export interface DeliveryJob {
  id: number;
  delivery_id: string;
  channel: Channel;
  target: string;
  attempts: number;
  max_attempts: number;
  event: OutboxEvent;
}

export interface AttemptRecord {
  outcome: AttemptOutcome;
  durationMs: number;
  statusCode?: number | null;
  error?: string | null;
  /** For `retry`: when to try again (ms since epoch). */
  nextAttemptAt?: number;
}

/** One attempt as GET notifications/deliveries lists it. */
export interface AttemptView {
  delivery_id: string;
  event: string;
  run_id: string | null;
  channel: Channel;
  target: string;
  attempt: number;
  attempted_at: string;
  duration_ms: number;
  outcome: AttemptOutcome;
  status_code: number | null;
  error: string | null;
  state: DeliveryState;
  next_attempt_at: string | null;
}

export interface Outbox {
  /** Writes a finished run's events: the one its status raises, plus `extra` (e.g. archive.failed). Call inside the finishing transaction. */
  recordRun(run: RunPayload, extra?: readonly NotificationEvent[]): void;
  /** Writes a `test` event (POST notifications/test) and returns its id. */
  addTestEvent(nowMs: number): number;
  /** Events not yet turned into deliveries, oldest first. */
  unexpanded(limit: number): OutboxEvent[];
  /** Turns one event into deliveries, once: returns false when another sender did it first. */
  expand(eventId: number, targets: readonly { channel: Channel; target: string; maxAttempts: number }[], nowMs: number): boolean;
  /** Leases up to `limit` due pending deliveries for `leaseMs` (optionally only one run's or one event's). */
  claimDue(nowMs: number, leaseMs: number, limit: number, only?: { runId?: string; eventId?: number }): DeliveryJob[];
  /** Records an attempt and moves the delivery on (delivered, dead, disabled, or pending again); frees its lease. */
  recordAttempt(job: DeliveryJob, attempt: AttemptRecord, nowMs: number): void;
  /** Pending deliveries (and unexpanded events) of one run, or of all runs. */
  pendingCount(runId?: string): number;
  disableHook(url: string, reason: string, nowMs: number): void;
  enableHook(url: string): void;
  disabledHooks(): Map<string, { disabled_at: string; reason: string }>;
  /** The most recent attempts, newest first. */
  recentAttempts(limit: number): AttemptView[];
  /** Drops finished deliveries, their attempts and fully handled events older than `beforeMs`. */
  prune(beforeMs: number): void;
}

interface EventRow {
  id: number;
  type: string;
  run_id: string | null;
  occurred_at: string;
  payload: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

const toEvent = (r: EventRow): OutboxEvent => ({
  id: r.id,
  type: r.type as OutboxEventType,
  run_id: r.run_id,
  occurred_at: r.occurred_at,
  run: r.payload ? (JSON.parse(r.payload) as RunPayload) : null,
});

/** The outbox over an open state database (its migrations applied). */
export function createOutbox(db: Database.Database): Outbox {
  const q = prepare(db);
  const expand = db.transaction((eventId: number, targets: Parameters<Outbox['expand']>[1], nowMs: number) => {
    if (q.markExpanded.run(iso(nowMs), eventId).changes !== 1) return false;
    for (const t of targets) q.insertDelivery.run(randomUUID(), eventId, t.channel, t.target, t.maxAttempts, nowMs, iso(nowMs));
    return true;
  });
  const claim = db.transaction((nowMs: number, leaseMs: number, limit: number, only: { runId?: string; eventId?: number }) => {
    const rows = only.eventId !== undefined
      ? q.dueForEvent.all(nowMs, nowMs, only.eventId, limit)
      : only.runId !== undefined ? q.dueForRun.all(nowMs, nowMs, only.runId, limit) : q.due.all(nowMs, nowMs, limit);
    for (const r of rows) q.lease.run(nowMs + leaseMs, r.id);
    return rows;
  });
  const record = db.transaction((job: DeliveryJob, a: AttemptRecord, nowMs: number) => {
    const attempts = job.attempts + 1;
    q.insertAttempt.run(job.id, iso(nowMs), Math.round(a.durationMs), a.outcome, a.statusCode ?? null, a.error ?? null);
    const state: DeliveryState = a.outcome === 'retry' ? 'pending' : a.outcome;
    // `state = 'pending'` in the WHERE: a delivery already marked delivered is never moved back.
    q.updateDelivery.run(state, attempts, a.nextAttemptAt ?? nowMs, state === 'pending' ? null : iso(nowMs), job.id);
  });
  return {
    recordRun(run, extra = []) {
      const payload = JSON.stringify(run);
      for (const type of [finishEventOf(run.status), ...extra]) q.insertEvent.run(type, run.run_id, run.finished_at, payload);
    },
    addTestEvent: (nowMs) => Number(q.insertEvent.run('test', null, iso(nowMs), null).lastInsertRowid),
    unexpanded: (limit) => q.unexpanded.all(limit).map(toEvent),
    expand: (eventId, targets, nowMs) => expand.immediate(eventId, targets, nowMs),
    claimDue: (nowMs, leaseMs, limit, only = {}) =>
      claim.immediate(nowMs, leaseMs, limit, only).map((r) => ({
        id: r.id,
        delivery_id: r.delivery_id,
        channel: r.channel as Channel,
        target: r.target,
        attempts: r.attempts,
        max_attempts: r.max_attempts,
        event: toEvent({ id: r.event_id, type: r.type, run_id: r.run_id, occurred_at: r.occurred_at, payload: r.payload }),
      })),
    recordAttempt: (job, a, nowMs) => record.immediate(job, a, nowMs),
    pendingCount: (runId) => (runId === undefined ? (q.pendingAll.get() ?? 0) : (q.pendingRun.get(runId, runId) ?? 0)),
    disableHook: (url, reason, nowMs) => void q.disable.run(url, iso(nowMs), reason),
    enableHook: (url) => void q.enable.run(url),
    disabledHooks: () => new Map(q.disabled.all().map((r) => [r.url, { disabled_at: r.disabled_at, reason: r.reason }])),
    recentAttempts: (limit) =>
      q.recent.all(limit).map((r) => ({ ...r, next_attempt_at: r.state === 'pending' ? iso(r.next_attempt_at) : null })),
    prune(beforeMs) {
      db.transaction(() => {
        q.pruneAttempts.run(iso(beforeMs));
        q.pruneDeliveries.run(iso(beforeMs));
        q.pruneEvents.run(iso(beforeMs));
      }).immediate();
    },
  };
}

interface DueRow {
  id: number;
  delivery_id: string;
  channel: string;
  target: string;
  attempts: number;
  max_attempts: number;
  event_id: number;
  type: string;
  run_id: string | null;
  occurred_at: string;
  payload: string | null;
}

type RecentRow = Omit<AttemptView, 'next_attempt_at'> & { next_attempt_at: number };

function prepare(db: Database.Database) {
  const dueSelect = `SELECT d.id, d.delivery_id, d.channel, d.target, d.attempts, d.max_attempts, d.event_id,
      e.type, e.run_id, e.occurred_at, e.payload
    FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id
    WHERE d.state = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until <= ?)`;
  return {
    insertEvent: db.prepare('INSERT INTO outbox_events (type, run_id, occurred_at, payload) VALUES (?, ?, ?, ?)'),
    unexpanded: db.prepare<[number], EventRow>(
      'SELECT id, type, run_id, occurred_at, payload FROM outbox_events WHERE expanded_at IS NULL ORDER BY id LIMIT ?',
    ),
    markExpanded: db.prepare('UPDATE outbox_events SET expanded_at = ? WHERE id = ? AND expanded_at IS NULL'),
    insertDelivery: db.prepare(
      `INSERT INTO outbox_deliveries (delivery_id, event_id, channel, target, state, max_attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ),
    due: db.prepare<[number, number, number], DueRow>(`${dueSelect} ORDER BY d.next_attempt_at, d.id LIMIT ?`),
    dueForRun: db.prepare<[number, number, string, number], DueRow>(`${dueSelect} AND e.run_id = ? ORDER BY d.id LIMIT ?`),
    dueForEvent: db.prepare<[number, number, number, number], DueRow>(`${dueSelect} AND e.id = ? ORDER BY d.id LIMIT ?`),
    lease: db.prepare('UPDATE outbox_deliveries SET lease_until = ? WHERE id = ?'),
    insertAttempt: db.prepare(
      'INSERT INTO outbox_attempts (delivery, attempted_at, duration_ms, outcome, status_code, error) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    updateDelivery: db.prepare(
      `UPDATE outbox_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, finished_at = ?, lease_until = NULL
        WHERE id = ? AND state = 'pending'`,
    ),
    pendingAll: db.prepare<[], number>(
      `SELECT (SELECT count(*) FROM outbox_deliveries WHERE state = 'pending')
            + (SELECT count(*) FROM outbox_events WHERE expanded_at IS NULL)`,
    ).pluck(),
    pendingRun: db.prepare<[string, string], number>(
      `SELECT (SELECT count(*) FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE d.state = 'pending' AND e.run_id = ?)
            + (SELECT count(*) FROM outbox_events WHERE expanded_at IS NULL AND run_id = ?)`,
    ).pluck(),
    disable: db.prepare('INSERT OR REPLACE INTO disabled_hooks (url, disabled_at, reason) VALUES (?, ?, ?)'),
    enable: db.prepare('DELETE FROM disabled_hooks WHERE url = ?'),
    disabled: db.prepare<[], { url: string; disabled_at: string; reason: string }>('SELECT url, disabled_at, reason FROM disabled_hooks'),
    recent: db.prepare<[number], RecentRow>(
      `SELECT d.delivery_id, e.type AS event, e.run_id, d.channel, d.target,
              (SELECT count(*) FROM outbox_attempts b WHERE b.delivery = a.delivery AND b.id <= a.id) AS attempt,
              a.attempted_at, a.duration_ms, a.outcome, a.status_code, a.error, d.state, d.next_attempt_at
         FROM outbox_attempts a JOIN outbox_deliveries d ON d.id = a.delivery JOIN outbox_events e ON e.id = d.event_id
        ORDER BY a.id DESC LIMIT ?`,
    ),
    pruneAttempts: db.prepare(
      `DELETE FROM outbox_attempts WHERE delivery IN (SELECT id FROM outbox_deliveries WHERE state != 'pending' AND finished_at < ?)`,
    ),
    pruneDeliveries: db.prepare(`DELETE FROM outbox_deliveries WHERE state != 'pending' AND finished_at < ?`),
    pruneEvents: db.prepare(
      `DELETE FROM outbox_events WHERE expanded_at IS NOT NULL AND expanded_at < ?
          AND NOT EXISTS (SELECT 1 FROM outbox_deliveries d WHERE d.event_id = outbox_events.id)`,
    ),
  };
}
