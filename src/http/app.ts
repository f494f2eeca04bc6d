/**
 * `buildApp(deps)`: the Fastify instance used by the server and the tests alike. The wiring
 * diagram: strict validation (no coercion, no stripping), the one error shape, the health
 * route, /metrics, and the `/api/system/cleanup` group behind the optional bearer token; the
 * notification sender runs from ready to close.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { LoadOptions, Settings } from '../config/settings.js';
import { API_PREFIX } from '../domain/api.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { createSender, type Sender } from '../notify/sender.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { StateStore } from '../store/types.js';
import { createAuthHook } from './auth.js';
import { type ConfigService, createConfigService } from './config-service.js';
import { installErrorHandlers } from './errors.js';
import { createMetrics, type Metrics } from './metrics.js';
import { archiveRoutes } from './routes/archive.js';
import { requireLoopback } from './local-only.js';
import { panelAvailable, panelRoutes, registerDocs } from './panel.js';
import { cleanupRoutes } from './routes/cleanup.js';
import { plansRoutes } from './routes/plans.js';
import { configRoutes } from './routes/config.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { notificationsRoutes } from './routes/notifications.js';
import { runsRoutes } from './routes/runs.js';
import { statsRoutes } from './routes/stats.js';
import { statusRoutes } from './routes/status.js';
import { trashRoutes } from './routes/trash.js';

/** Requests are small JSON objects; anything bigger is refused with 413. */
export const BODY_LIMIT = 16 * 1024;
export { API_PREFIX };

export interface AppDeps {
  settings: Settings;
  engine: Engine;
  store: StateStore;
  logger: FastifyBaseLogger;
  /** Started when the app is ready, stopped (and its run aborted) when it closes. */
  scheduler?: Scheduler;
  /** The outbox sender, started when the app is ready and stopped when it closes; built from the settings unless given. */
  sender?: Sender;
  /** The metrics registry (its listener should be among the engine's); a fresh one unless given. */
  metrics?: Metrics;
  /** Called before the routes are registered, e.g. to register @fastify/swagger for openapi.yaml. */
  beforeRoutes?: (app: App) => void;
  /**
   * The editable configuration (GET/PUT /config). The server passes the one its engine reads
   * (http/live-service.ts); without it, one is made over `settings` and `load`.
   */
  config?: ConfigService;
  /** How `settings` were loaded, for reloads (default: no environment, the settings' root and config file). */
  load?: LoadOptions;
}

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

/**
 * Builds the app; call `ready()`/`listen()` to start it. Closing it aborts runs in progress
 * (they stop after their current batch and are recorded as interrupted) and stops the schedule.
 * It does not close the store: the caller owns it.
 */
export function buildApp(deps: AppDeps): App {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT,
    // Time to receive a request (not to answer it: a cleanup may take minutes).
    requestTimeout: 30_000,
    // Bad input is refused, never repaired: no coercion ("false" stays a string), no stripping.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false } },
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandlers(app);
  installJsonParser(app);
  deps.beforeRoutes?.(app);

  const shutdown = new AbortController();
  const metrics = deps.metrics ?? createMetrics({ settings: deps.settings, store: deps.store });
  const sender =
    deps.sender ??
    createSender({
      outbox: deps.store.outbox,
      notifications: deps.settings.notifications,
      publicUrl: deps.settings.publicUrl,
      logger: deps.logger,
      onAttempt: metrics.onDelivery,
    });
  const token = deps.settings.apiToken;
  const config = deps.config ?? createConfigService({ settings: deps.settings, load: deps.load ?? defaultLoad(deps.settings), store: deps.store });
  config.onChange((next) => deps.scheduler?.rearm(next));
  app.register(healthRoutes);
  app.register(metricsRoutes, { metrics, token: deps.settings.metricsPublic ? undefined : deps.settings.apiToken });
  app.register(
    async (api) => {
      if (token) api.addHook('onRequest', createAuthHook(token));
      await api.register(cleanupRoutes, { engine: deps.engine, signal: shutdown.signal });
      await api.register(plansRoutes, { engine: deps.engine, signal: shutdown.signal });
      await api.register(statusRoutes, { settings: deps.settings, current: config.current, engine: deps.engine, store: deps.store, scheduler: deps.scheduler });
      await api.register(runsRoutes, { store: deps.store });
      await api.register(trashRoutes, { engine: deps.engine, signal: shutdown.signal });
      await api.register(notificationsRoutes, { settings: deps.settings, store: deps.store, sender });
      await api.register(archiveRoutes, { settings: deps.settings });
      // The panel's routes: without a token, loopback browsers only (local-only.ts).
      await api.register(async (panelApi) => {
        if (!token) panelApi.addHook('onRequest', requireLoopback);
        await panelApi.register(statsRoutes, { store: deps.store });
        await panelApi.register(configRoutes, {
          config,
          engine: deps.engine,
          engineFor: (settings) => createEngine({ settings, store: deps.store, logger: deps.logger }),
          tokenSet: Boolean(token),
          signal: shutdown.signal,
        });
      });
    },
    { prefix: API_PREFIX },
  );
  app.register(async (ui) => {
    if (!token) ui.addHook('onRequest', requireLoopback);
    if (panelAvailable()) await ui.register(panelRoutes);
    else deps.logger.warn('the panel files are missing (build with npm run build): /ui/ is not served');
    if (!(await registerDocs(ui))) deps.logger.warn('openapi.yaml not found: /docs is not served');
  });

  app.addHook('onReady', async () => {
    deps.scheduler?.start();
    sender.start();
  });
  app.addHook('preClose', async () => {
    shutdown.abort();
    await deps.scheduler?.stop();
  });
  // After the runs have stopped (preClose), so their events are in the outbox for the next start.
  app.addHook('onClose', async () => {
    await sender.stop();
  });
  return app;
}

function defaultLoad(settings: Settings): LoadOptions {
  return { env: {}, root: settings.root, configFile: settings.configFile ?? undefined };
}

/**
 * JSON only (other media types are a 415). Fastify's JSON parser, except that an empty body is "no body" (a dry run with defaults)
 * rather than FST_ERR_CTP_EMPTY_JSON_BODY. `__proto__`/`constructor` keys are refused.
 */
function installJsonParser(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
