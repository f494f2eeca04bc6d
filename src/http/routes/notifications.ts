/**
 * `GET /api/system/cleanup/notifications/deliveries` (configured channels and recent attempts)
 * and `POST …/notifications/test` (a signed `test` event to every webhook, and email, once).
 * Webhook URLs are shown without their query string and secrets never leave the process.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Settings } from '../../config/settings.js';
import type { Sender } from '../../notify/sender.js';
import type { StateStore } from '../../store/types.js';
import { ApiErrorResponses } from '../schemas/common.js';
import { DELIVERIES_LIMIT, DeliveriesQuerySchema, DeliveriesSchema, TestSchema } from '../schemas/notifications.js';
import { parseQueryInt } from './runs.js';

export interface NotificationsRoutesOptions {
  settings: Settings;
  store: StateStore;
  sender: Sender;
}

/** A webhook URL as shown: its query string (where some services put a token) left out. */
export function displayTarget(target: string): string {
  try {
    const u = new URL(target);
    return `${u.origin}${u.pathname}`;
  } catch {
    return target;
  }
}

/** Registers the two notification routes. */
export const notificationsRoutes: FastifyPluginAsyncTypebox<NotificationsRoutesOptions> = async (app, opts) => {
  app.get(
    '/notifications/deliveries',
    {
      schema: {
        summary: 'Configured notification channels and recent delivery attempts',
        operationId: 'listNotificationDeliveries',
        tags: ['notifications'],
        querystring: DeliveriesQuerySchema,
        response: { 200: DeliveriesSchema, ...ApiErrorResponses },
      },
    },
    async (request) => {
      const limit = parseQueryInt(request.query.limit, 'limit', 1, DELIVERIES_LIMIT.max, DELIVERIES_LIMIT.default);
      const outbox = opts.store.outbox;
      const disabled = outbox.disabledHooks();
      const n = opts.settings.notifications;
      return {
        success: true as const,
        webhooks: n.webhooks.map((w) => ({
          target: displayTarget(w.url),
          events: [...w.events],
          disabled_at: disabled.get(w.url)?.disabled_at ?? null,
          disabled_reason: disabled.get(w.url)?.reason ?? null,
        })),
        email: n.email ? { to: [...n.email.to], on: n.email.on } : null,
        outbox_depth: outbox.pendingCount(),
        attempts: outbox.recentAttempts(limit).map((a) => ({ ...a, target: displayTarget(a.target) })),
      };
    },
  );

  app.post(
    '/notifications/test',
    {
      schema: {
        summary: 'Send a signed test event to every webhook (and email)',
        operationId: 'sendTestNotification',
        tags: ['notifications'],
        response: { 200: TestSchema, ...ApiErrorResponses },
      },
    },
    async () => {
      const results = await opts.sender.sendTest();
      return {
        success: results.length > 0 && results.every((r) => r.outcome === 'delivered'),
        results: results.map((r) => ({ ...r, target: displayTarget(r.target) })),
      };
    },
  );
};
