/**
 * A temp root with a notifications config, its real state store and engine, and old log files
 * for a real run to remove; plus a sender with a test clock and fast backoff. Closed after each test.
 */
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino from 'pino';
import { afterEach } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { RunListener } from '../../src/domain/events.js';
import type { CategoryHandler } from '../../src/engine/context.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { type App, buildApp } from '../../src/http/app.js';
import { createMetrics, type Metrics } from '../../src/http/metrics.js';
import { notifyListener } from '../../src/notify/listener.js';
import { createSender, type Sender, type SenderDeps } from '../../src/notify/sender.js';
import { openStateStore } from '../../src/store/state-store.js';
import type { StateStore } from '../../src/store/types.js';
import { writeOldLogs } from './http-app.js';
import { makeTempDir, settingsFor } from './temp-root.js';

export const SECRET = 'whsec-test-7f3a';
const silent = pino({ level: 'silent' });
const open: { stores: StateStore[]; senders: Sender[] } = { stores: [], senders: [] };

afterEach(async () => {
  for (const s of open.senders.splice(0)) await s.stop();
  for (const s of open.stores.splice(0)) s.close();
});

export interface NotifyFixture {
  root: string;
  settings: Settings;
  store: StateStore;
  engine: Engine;
  /** A test clock (ms) the senders read; advance it by hand. */
  clock: { now: number };
  /** Runs a real cleanup (real by default) over three fresh old log files of 100 bytes. */
  run(dryRun?: boolean): ReturnType<Engine['runOnce']>;
  /** A sender over `store` (default: this fixture's) with the test clock, 300 ms timeout and backoff 1 s doubling to 8 s, 4 attempts. */
  sender(overrides?: Partial<SenderDeps>, store?: StateStore): Sender;
  /** Another connection to the same state database (another process, or the server after a restart). */
  reopen(): StateStore;
}

/** Builds the fixture; `notifications` is the config file's `notifications` key. */
export function makeNotifyFixture(notifications: unknown, extra: { env?: Record<string, string>; config?: object; listeners?: RunListener[] } = {}): NotifyFixture {
  const root = makeTempDir('cw-notify-');
  const configFile = path.join(makeTempDir('cw-notify-cfg-'), 'config.json');
  writeFileSync(configFile, JSON.stringify({ notifications, ...extra.config }));
  const settings = settingsFor(root, { HOOK_SECRET: SECRET, ...extra.env }, configFile);
  const store = openStateStore(settings);
  open.stores.push(store);
  const engine = createEngine({ settings, store, logger: silent, listeners: extra.listeners });
  const clock = { now: Date.now() };
  return {
    root,
    settings,
    store,
    engine,
    clock,
    run(dryRun = false) {
      writeOldLogs(root, [`a-${clock.now}.log`, `b-${clock.now}.log`, `c-${clock.now}.log`]);
      return engine.runOnce({ trigger: 'api', dryRun });
    },
    sender(overrides = {}, s = store) {
      const sender = createSender({
        outbox: s.outbox,
        notifications: settings.notifications,
        publicUrl: settings.publicUrl,
        logger: silent,
        now: () => clock.now,
        random: () => 0.5,
        timeoutMs: 300,
        backoff: { baseMs: 1000, maxMs: 8000, maxAttempts: 4 },
        ...overrides,
      });
      open.senders.push(sender);
      return sender;
    },
    reopen() {
      const other = openStateStore(settings);
      open.stores.push(other);
      return other;
    },
  };
}

/** A webhook config entry for `url`. */
export function hook(url: string, more: Record<string, unknown> = {}) {
  return { url, events: ['run.finished', 'run.failed'], secret_env: 'HOOK_SECRET', ...more };
}

export interface NotifyApp {
  root: string;
  settings: Settings;
  store: StateStore;
  engine: Engine;
  app: App;
  metrics: Metrics;
  url: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

const apps: NotifyApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

/**
 * The app as the server wires it (metrics and notifications as run listeners, the sender
 * started on ready), listening on loopback over a fresh or given root; `config` adds config-file keys.
 */
export async function startNotifyApp(
  opts: { root?: string; notifications?: unknown; env?: Record<string, string>; handlers?: readonly CategoryHandler[]; config?: object } = {},
): Promise<NotifyApp> {
  const root = opts.root ?? makeTempDir('cw-notify-app-');
  const configFile = path.join(makeTempDir('cw-notify-cfg-'), 'config.json');
  writeFileSync(configFile, JSON.stringify({ ...opts.config, ...(opts.notifications ? { notifications: opts.notifications } : {}) }));
  const settings = settingsFor(root, { HOOK_SECRET: SECRET, ...opts.env }, configFile);
  const store = openStateStore(settings);
  const metrics = createMetrics({ settings, store });
  const sender = createSender({ outbox: store.outbox, notifications: settings.notifications, logger: silent, onAttempt: metrics.onDelivery, timeoutMs: 1000 });
  const engine = createEngine({ settings, store, logger: silent, handlers: opts.handlers, listeners: [metrics.listener, notifyListener(sender)] });
  const app = buildApp({ settings, engine, store, logger: silent, sender, metrics });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  let closed = false;
  const a: NotifyApp = {
    root,
    settings,
    store,
    engine,
    app,
    metrics,
    url,
    get: (p, headers = {}) => fetch(`${url}${p}`, { headers }),
    post: (p, body, headers = {}) =>
      fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? '' : JSON.stringify(body) }),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      store.close();
    },
  };
  apps.push(a);
  return a;
}

/** Polls `check` every 20 ms until it is true (or fails after `ms`). */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
