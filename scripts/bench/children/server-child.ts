/**
 * Child: the real server, wired like src/server.ts (settings, state store, pino logger to
 * stdout + the root's log file, engine, buildApp) plus one bare route, `GET /bench/bare`,
 * registered on the same instance: the reference for /status's requests per second.
 * Listens on 127.0.0.1, on a free port. Calls: `loop` (event-loop delay since the last
 * `resetLoop`), `resetLoop`, `store` (state-store write timings), `stop`.
 */
import { loadSettings } from '../../../src/config/settings.js';
import { serveChild } from '../protocol.js';
import { watchEventLoop } from '../loop-delay.js';
import { timeStore } from '../timed-store.js';

export interface ServerJob {
  root: string;
}

export interface ServerInfo {
  port: number;
  pid: number;
}

serveChild<ServerJob, ServerInfo>({
  async start(job) {
    const { createEngine } = await import('../../../src/engine/engine.js');
    const { openStateStore } = await import('../../../src/store/state-store.js');
    const { createLogger, closeLogger } = await import('../../../src/logging.js');
    const { buildApp } = await import('../../../src/http/app.js');
    const settings = loadSettings({ env: { CLEANUP_SCHEDULE: 'off', HOST: '127.0.0.1', PORT: '0' }, root: job.root });
    const raw = openStateStore(settings);
    raw.markInterrupted();
    const timed = timeStore(raw);
    const logger = createLogger(settings, { stdout: true });
    const engine = createEngine({ settings, store: timed.store, logger });
    const app = buildApp({ settings, engine, store: timed.store, logger });
    app.get('/bench/bare', async () => ({ success: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const loop = watchEventLoop();
    let cpu0 = process.cpuUsage();
    return {
      info: { port, pid: process.pid },
      calls: {
        loop: () => loop.read(),
        resetLoop: () => {
          loop.reset();
          timed.reset();
          cpu0 = process.cpuUsage();
          return null;
        },
        cpu: () => {
          const c = process.cpuUsage(cpu0);
          return (c.user + c.system) / 1000;
        },
        store: () => ({ ...timed.timing }),
        rss: () => process.resourceUsage().maxRSS / 1024,
        async stop() {
          loop.stop();
          await app.close();
          raw.close();
          await closeLogger(logger);
          return null;
        },
      },
    };
  },
});
