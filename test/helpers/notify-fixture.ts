/**
 * A temp root with a notifications config, its real state store and engine, and old log files
 * for a real run to remove; plus a sender with a test clock and fast backoff. Closed after each test.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { RunListener } from '../../src/domain/events.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
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
