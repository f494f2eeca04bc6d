/**
 * The server process, and nothing else: load settings, open the state store, build the app,
 * listen, and close gracefully on SIGTERM/SIGINT. Exit codes: 0 after a clean shutdown,
 * 1 when it could not start, 2 on a configuration error.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadSettings, type Settings } from './config/settings.js';
import { catalogEntryOf } from './domain/errors.js';
import { createEngine } from './engine/engine.js';
import { describePolicy } from './engine/planner.js';
import { buildApp } from './http/app.js';
import { closeLogger, createLogger } from './logging.js';
import { createScheduler } from './scheduler/scheduler.js';
import { openStateStore } from './store/state-store.js';

/** A shutdown that takes longer than this (a stuck run) ends the process anyway. */
const SHUTDOWN_TIMEOUT_MS = 30_000;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Starts the service; resolves once it listens. Returns an exit code when it cannot start. */
async function main(env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  let settings: Settings;
  try {
    settings = loadSettings({ env });
  } catch (err) {
    const known = catalogEntryOf(err);
    if (known?.exit === 2) {
      process.stderr.write(`cleanup-worker: ${(err as Error).message}\n`);
      return known.exit;
    }
    throw err;
  }
  mkdirSync(settings.root, { recursive: true });
  const store = openStateStore(settings);
  const interrupted = store.markInterrupted();
  const logger = createLogger(settings, { stdout: true });
  if (interrupted) logger.warn({ count: interrupted }, 'runs cut off by an earlier crash marked interrupted');
  const engine = createEngine({ settings, store, logger });
  const scheduler = createScheduler({ settings, engine, logger });
  const app = buildApp({ settings, engine, store, logger, scheduler });

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
    removeOwnPidFile(settings);
    logger.info({ exit_code: code }, 'stopped');
    await closeLogger(logger);
    process.exit(code);
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return null;
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
function removeOwnPidFile(settings: Settings): void {
  const file = path.join(settings.root, settings.paths.state, 'cleanup_worker.pid');
  try {
    if (readFileSync(file, 'utf8').trim() === String(process.pid)) rmSync(file, { force: true });
  } catch {
    // No PID file, or not readable: nothing of ours to remove.
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
