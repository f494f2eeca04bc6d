/**
 * One attempt of one delivery, by channel, turned into what the outbox records: delivered, a
 * retry (any failure: a 5xx, a 4xx, a timeout, a closed connection, an SMTP refusal), disabled
 * (the hook answered 410 Gone: it is turned off in the state database and gets nothing more
 * until a test delivery to it succeeds), or dead (the hook or the email config is gone).
 */
import type { NotificationSettings } from '../config/settings.js';
import type { AttemptOutcome, DeliveryJob, Outbox } from '../store/outbox.js';
import type { EmailTransport } from './email.js';
import { renderEmail } from './email-render.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signing.js';
import { postWebhook } from './webhook.js';

/** What an attempt did, before the sender turns a failure into a retry or death. */
export interface AttemptResult {
  outcome: Exclude<AttemptOutcome, 'retry'> | 'failed';
  statusCode: number | null;
  error: string | null;
}

export interface AttemptContext {
  outbox: Outbox;
  notifications: NotificationSettings;
  publicUrl: string | undefined;
  email: EmailTransport | null;
  timeoutMs: number;
  nowMs: number;
}

/** The JSON body a webhook receives (the payload of the issue: event, delivery_id, occurred_at, run). */
export function webhookBody(job: DeliveryJob): string {
  return JSON.stringify({ event: job.event.type, delivery_id: job.delivery_id, occurred_at: job.event.occurred_at, run: job.event.run });
}

/** Attempts `job` once. Never throws: every failure is a result. */
export async function attempt(job: DeliveryJob, ctx: AttemptContext): Promise<AttemptResult> {
  try {
    return job.channel === 'webhook' ? await attemptWebhook(job, ctx) : await attemptEmail(job, ctx);
  } catch (err) {
    return { outcome: 'failed', statusCode: null, error: (err as Error).message };
  }
}

async function attemptWebhook(job: DeliveryJob, ctx: AttemptContext): Promise<AttemptResult> {
  const hook = ctx.notifications.webhooks.find((w) => w.url === job.target);
  if (!hook) return { outcome: 'dead', statusCode: null, error: 'this webhook is no longer configured' };
  const isTest = job.event.type === 'test';
  const off = ctx.outbox.disabledHooks().get(hook.url);
  if (off && !isTest) return { outcome: 'disabled', statusCode: null, error: `hook disabled since ${off.disabled_at}: ${off.reason}` };
  if (!hook.secret) return { outcome: 'failed', statusCode: null, error: `${hook.secretEnv} is not set in this process; cannot sign` };
  const body = webhookBody(job);
  const headers = {
    [SIGNATURE_HEADER]: signatureHeader(hook.secret.reveal(), Math.floor(ctx.nowMs / 1000), body),
    [EVENT_HEADER]: job.event.type,
    [DELIVERY_HEADER]: job.delivery_id,
  };
  const { statusCode } = await postWebhook(hook.url, body, headers, ctx.timeoutMs);
  if (statusCode >= 200 && statusCode < 300) {
    // A test that gets through turns a hook disabled by an earlier 410 back on.
    if (off) ctx.outbox.enableHook(hook.url);
    return { outcome: 'delivered', statusCode, error: null };
  }
  if (statusCode === 410) {
    ctx.outbox.disableHook(hook.url, `answered 410 Gone to delivery ${job.delivery_id}`, ctx.nowMs);
    return { outcome: 'disabled', statusCode, error: 'answered 410 Gone: hook disabled' };
  }
  return { outcome: 'failed', statusCode, error: `answered HTTP ${statusCode}` };
}

async function attemptEmail(job: DeliveryJob, ctx: AttemptContext): Promise<AttemptResult> {
  if (!ctx.notifications.email || !ctx.email) return { outcome: 'dead', statusCode: null, error: 'email is no longer configured' };
  const message = renderEmail(job.event, ctx.publicUrl);
  await withDeadline(ctx.email.send(message, { [EVENT_HEADER]: job.event.type, [DELIVERY_HEADER]: job.delivery_id }), ctx.timeoutMs);
  return { outcome: 'delivered', statusCode: null, error: null };
}

/** `p`, or a rejection when it takes longer than `ms` (an SMTP server that accepts and never answers). */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
