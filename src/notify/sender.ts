/**
 * The outbox sender: turns new events into deliveries and works off the due ones, at least
 * once, without ever slowing a run (it runs beside the engine, reading the state database).
 * The server starts it on ready (a pass every few seconds and right after a run finishes) and
 * stops it on close; its timers are unref'd. A CLI run flushes its own run's deliveries before
 * it exits, bounded; whatever fails there is retried by the server's sender later. Deliveries
 * are leased before an attempt, so the server and a CLI never send the same one at once, and a
 * delivered delivery is never sent again.
 */
import type { NotificationSettings } from '../config/settings.js';
import type { AttemptOutcome, Channel, DeliveryJob, Outbox } from '../store/outbox.js';
import { DEFAULT_BACKOFF, type BackoffPolicy, retryDelay } from './backoff.js';
import { attempt, type AttemptResult } from './deliver.js';
import { createEmailTransport, type EmailTransport } from './email.js';
import { targetsFor } from './routing.js';

export interface SenderLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SenderDeps {
  outbox: Outbox;
  notifications: NotificationSettings;
  publicUrl?: string;
  logger: SenderLogger;
  /** Deadline of one attempt (default 10 s). */
  timeoutMs?: number;
  /** How often the background loop looks for due deliveries (default 5 s). */
  pollMs?: number;
  backoff?: BackoffPolicy;
  now?: () => number;
  random?: () => number;
  /** The email transport; built from the settings unless given. */
  email?: EmailTransport | null;
  /** Tests only: accept the test SMTP server's self-signed certificate. */
  tlsRejectUnauthorized?: boolean;
  /** Called after every recorded attempt (the metrics count deliveries by outcome). */
  onAttempt?: (channel: Channel, outcome: AttemptOutcome) => void;
}

/** One delivery of POST notifications/test. */
export interface TestResult {
  channel: Channel;
  target: string;
  delivery_id: string;
  outcome: AttemptOutcome;
  status_code: number | null;
  error: string | null;
}

export interface Sender {
  /** Starts the background loop (idempotent). */
  start(): void;
  /** Nudges the loop to run a pass now (a run just finished). */
  wake(): void;
  /** Stops the loop and waits for the pass in flight. */
  stop(): Promise<void>;
  /** One pass: expand new events, attempt the due deliveries. Resolves with how many were attempted. */
  runPass(): Promise<number>;
  /** Attempts `runId`'s due deliveries until none is left or `budgetMs` has passed (the CLI before it exits). */
  flush(runId: string, budgetMs: number): Promise<void>;
  /** Sends a signed test event to every webhook (and email), once each, and returns what happened. */
  sendTest(): Promise<TestResult[]>;
}

const BATCH = 20;
const PRUNE_AFTER_MS = 30 * 86_400_000;

/** Builds a sender; nothing happens until `start`, `runPass`, `flush` or `sendTest`. */
export function createSender(deps: SenderDeps): Sender {
  const now = deps.now ?? Date.now;
  const timeoutMs = deps.timeoutMs ?? 10_000;
  const backoff = deps.backoff ?? DEFAULT_BACKOFF;
  const email = deps.email !== undefined ? deps.email : deps.notifications.email
    ? createEmailTransport(deps.notifications.email, { timeoutMs, tlsRejectUnauthorized: deps.tlsRejectUnauthorized })
    : null;
  // A lease outlives an attempt: a process that died mid-attempt frees its delivery after this.
  const leaseMs = 2 * timeoutMs + 5_000;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<unknown> | null = null;
  let stopped = false;

  function expandNew(): void {
    const disabled = new Set(deps.outbox.disabledHooks().keys());
    for (const event of deps.outbox.unexpanded(100)) {
      const targets = targetsFor(event, deps.notifications, disabled).map((t) => ({ ...t, maxAttempts: backoff.maxAttempts }));
      deps.outbox.expand(event.id, targets, now());
    }
  }

  async function work(jobs: readonly DeliveryJob[], budgetMs = timeoutMs): Promise<TestResult[]> {
    return Promise.all(jobs.map(async (job) => {
      const started = now();
      const result = await attempt(job, {
        outbox: deps.outbox,
        notifications: deps.notifications,
        publicUrl: deps.publicUrl,
        email,
        timeoutMs: Math.max(1, Math.min(timeoutMs, budgetMs)),
        nowMs: started,
      });
      return record(job, result, now() - started);
    }));
  }

  function record(job: DeliveryJob, r: AttemptResult, durationMs: number): TestResult {
    const delay = r.outcome === 'failed' ? retryDelay(job.attempts + 1, { ...backoff, maxAttempts: job.max_attempts }, deps.random) : null;
    const outcome: AttemptOutcome = r.outcome !== 'failed' ? r.outcome : delay === null ? 'dead' : 'retry';
    const at = now();
    deps.outbox.recordAttempt(job, { outcome, durationMs, statusCode: r.statusCode, error: r.error, nextAttemptAt: delay === null ? undefined : at + delay }, at);
    const line = { delivery_id: job.delivery_id, event: job.event.type, run_id: job.event.run_id, channel: job.channel, outcome, status_code: r.statusCode, error: r.error };
    if (outcome === 'delivered') deps.logger.info(line, 'notification delivered');
    else deps.logger.warn({ ...line, next_attempt_in_ms: delay }, `notification ${outcome === 'retry' ? 'failed; will retry' : outcome}`);
    deps.onAttempt?.(job.channel, outcome);
    return { channel: job.channel, target: job.target, delivery_id: job.delivery_id, outcome, status_code: r.statusCode, error: r.error };
  }

  async function runPass(): Promise<number> {
    expandNew();
    const jobs = deps.outbox.claimDue(now(), leaseMs, BATCH);
    await work(jobs);
    return jobs.length;
  }

  /** A pass that never throws (the state database may be busy or closing): logged, tried again later. */
  function tick(): void {
    if (inFlight || stopped) return;
    inFlight = (async () => {
      try {
        while ((await runPass()) === BATCH && !stopped) {}
      } catch (err) {
        deps.logger.warn({ err }, 'notification pass failed; trying again later');
      }
    })().finally(() => {
      inFlight = null;
    });
  }

  return {
    start() {
      if (timer) return;
      stopped = false;
      try {
        deps.outbox.prune(now() - PRUNE_AFTER_MS);
      } catch (err) {
        deps.logger.warn({ err }, 'old notification records not pruned');
      }
      timer = setInterval(tick, deps.pollMs ?? 5_000);
      timer.unref();
      setImmediate(tick).unref();
    },
    wake() {
      if (timer) setImmediate(tick).unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await inFlight;
      email?.close();
    },
    runPass,
    async flush(runId, budgetMs) {
      const deadline = now() + budgetMs;
      while (now() < deadline) {
        expandNew();
        const jobs = deps.outbox.claimDue(now(), leaseMs, BATCH, { runId });
        if (jobs.length === 0) return;
        await work(jobs, deadline - now());
      }
    },
    async sendTest() {
      const at = now();
      const eventId = deps.outbox.addTestEvent(at);
      const event = { id: eventId, type: 'test' as const, run_id: null, occurred_at: new Date(at).toISOString(), run: null };
      // Expanded and claimed here, synchronously: the background pass cannot take it in between.
      deps.outbox.expand(eventId, targetsFor(event, deps.notifications, new Set()).map((t) => ({ ...t, maxAttempts: 1 })), now());
      return work(deps.outbox.claimDue(now(), leaseMs, 100, { eventId }));
    },
  };
}
