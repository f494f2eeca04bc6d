/**
 * The server process, and nothing else: load settings, open the state store, build the app,
 * listen, and close gracefully on SIGTERM/SIGINT. Exit codes: 0 after a clean shutdown,
 * 1 when it could not start, 2 on a configuration error (including a configured root that does
 * not exist, and a symbolic link where the service writes its state).
 */
import { mkdirSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { removePidFile } from './cli/pid-file.js';
import { missingSecrets } from './config/notifications.js';
import { ConfigError, describeRootSource, type LoadOptions, loadSettings, type Settings } from './config/settings.js';
import { describePolicy } from './engine/planner.js';
import { buildApp } from './http/app.js';
import { createLiveService } from './http/live-service.js';
import { createMetrics } from './http/metrics.js';
import { notifyListener } from './notify/listener.js';
import { createSender } from './notify/sender.js';
import { closeLogger, createLogger } from './logging.js';
import { describeFsError } from './safety/fs-errors.js';
import { UnsafePathError } from './safety/safe-path.js';
import { StateUnavailableError } from './store/state-location.js';
import { createConfigStore } from './store/config-store.js';
import { openStateStore } from './store/state-store.js';
import type { StateStore } from './store/types.js';

/** A shutdown that takes longer than this (a stuck run) ends the process anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Starts the service; resolves once it listens. Returns an exit code when it cannot start. */
async function main(env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const ready = prepare(env);
  if (typeof ready === 'number') return ready;
  const { settings, store, load } = ready;
  const interrupted = store.markInterrupted();
  const logger = createLogger(settings, { stdout: true });
  if (interrupted) logger.warn({ count: interrupted }, 'runs cut off by an earlier crash marked interrupted');
  // Notifications and metrics follow runs as listeners: they can neither fail nor slow one.
  const metrics = createMetrics({ settings, store });
  let live: ReturnType<typeof createLiveService> | null = null;
  const sender = createSender({
    outbox: store.outbox,
    // Webhooks follow the live configuration (the panel may change them); the SMTP transport is made at start.
    get notifications() {
      return live?.config.current().notifications ?? settings.notifications;
    },
    publicUrl: settings.publicUrl,
    logger,
    onAttempt: metrics.onDelivery,
  });
  live = createLiveService({ settings, load, store, logger, listeners: [metrics.listener, notifyListener(sender)] });
  const { config, engine, scheduler } = live;
  const app = buildApp({ settings, engine, store, logger, scheduler, sender, metrics, config, load });

  let url: string;
  try {
    url = await app.listen({ host: settings.host, port: settings.port });
  } catch (err) {
    logger.error({ err, host: settings.host, port: settings.port }, 'cannot listen');
    await app.close().catch(() => {});
    store.close();
    await closeLogger(logger);
    return 1;
  }
  logStart(settings, logger, url, scheduler.nextRun());

  let closing = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: stopping the schedule and the current run');
    setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    let code = 0;
    try {
      // preClose aborts a run in progress (it stops after its current batch and is recorded as
      // interrupted) and stops the schedule; close then waits for in-flight requests.
      await app.close();
    } catch (err) {
      logger.error({ err }, 'error while closing the server');
      code = 1;
    }
    store.close();
    removeOwnPidFile(settings, logger);
    logger.info({ exit_code: code }, 'stopped');
    await closeLogger(logger);
    process.exit(code);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return null;
}

/**
 * Settings, root and state store, or the exit code when the server must not start: 2 for a
 * configuration error (a bad setting, a configured root that does not exist, a link where the
 * state lives), 1 when the state folder cannot be written (read-only file system).
 */
function prepare(env: NodeJS.ProcessEnv): { settings: Settings; store: StateStore; load: LoadOptions } | number {
  const load: LoadOptions = { env };
  let settings: Settings;
  try {
    settings = loadSettings(load);
  } catch (err) {
    if (err instanceof ConfigError) return refuse(err.message, 2);
    throw err;
  }
  const missing = missingSecrets(settings.notifications);
  if (missing.length) return refuse(`notifications need ${missing.join(', ')} in the environment (the config names them); set them or remove the hook`, 2);
  const rootProblem = prepareRoot(settings);
  if (rootProblem) return refuse(rootProblem, 2);
  let store: StateStore;
  try {
    store = openStateStore(settings);
  } catch (err) {
    if (err instanceof UnsafePathError) return refuse(err.message, 2);
    if (err instanceof StateUnavailableError) return refuse(`${err.message}; the server keeps its run history and lock there`, 1);
    throw err;
  }
  // Settings saved by the panel in the state database apply over the config file (config-service.ts).
  const saved = createConfigStore(store.database()).saved();
  if (!saved) return { settings, store, load };
  try {
    return { settings: loadSettings({ ...load, overlay: saved.data }), store, load };
  } catch (err) {
    store.close();
    if (err instanceof ConfigError) return refuse(`${err.message}; fix it in the panel's saved configuration (table config_overlay of the state database) or remove that row`, 2);
    throw err;
  }
}

/** One line on stderr, and the exit code: the server did not start. */
function refuse(message: string, code: number): number {
  process.stderr.write(`cleanup-worker: ${message}\n`);
  return code;
}

/**
 * Only the default root (`./data`) is created when missing; a root someone named (ARCHITECT_HOME,
 * --root through --daemon, the config file) that does not exist is a typo to fix, not a folder to
 * make. Returns why the server must not start, or null.
 */
function prepareRoot(settings: Settings): string | null {
  let isDir: boolean;
  try {
    isDir = statSync(settings.root).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return `root ${settings.root} cannot be used: ${describeFsError(err)}`;
    if (settings.rootSource !== 'default') {
      return `root ${settings.root} does not exist; create it or fix ${describeRootSource(settings)} (only the default ./data is created)`;
    }
    try {
      mkdirSync(settings.root);
      return null;
    } catch (mkErr) {
      return `the default root ${settings.root} cannot be created: ${describeFsError(mkErr)}`;
    }
  }
  return isDir ? null : `root ${settings.root} is not a folder; fix ${describeRootSource(settings)}`;
}

function logStart(settings: Settings, logger: Logger, url: string, next: Date | null): void {
  logger.info(
    {
      root: settings.root,
      listen: url,
      schedule: settings.schedule,
      schedule_dry_run: settings.scheduleDryRun,
      next_run: next?.toISOString() ?? null,
      policy: describePolicy(settings.policy),
    },
    `cleanup-worker started: cleaning ${settings.root}; next scheduled run ${next ? next.toISOString() : '(schedule off)'}`,
  );
  if (!LOOPBACK.test(settings.host) && !settings.apiToken) {
    logger.warn(
      { host: settings.host },
      'listening beyond loopback without CLEANUP_API_TOKEN: anyone who can reach this port can delete data; set CLEANUP_API_TOKEN',
    );
  }
}

/** Removes `<root>/.cleanup/cleanup_worker.pid` when it names this process (written by `--daemon`). */
function removeOwnPidFile(settings: Settings, logger: Logger): void {
  try {
    removePidFile(settings, process.pid);
  } catch (err) {
    // A link where the PID file should be is left alone (never followed, never removed).
    logger.warn({ err }, 'PID file not removed');
  }
}

main().then(
  (code) => {
    if (code !== null) process.exit(code);
  },
  (err: unknown) => {
    process.stderr.write(`cleanup-worker: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
