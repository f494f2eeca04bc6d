/**
 * A real app for HTTP tests: a temp root, a real state store, the real engine (or given
 * handlers), built with buildApp. Everything is closed after each test.
 */
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { CategoryHandler } from '../../src/engine/context.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { type App, buildApp } from '../../src/http/app.js';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.js';
import { openStateStore } from '../../src/store/state-store.js';
import type { StateStore } from '../../src/store/types.js';
import { DAY, makeTempDir, settingsFor, writeFileAt } from './temp-root.js';

export interface HttpFixture {
  root: string;
  settings: Settings;
  store: StateStore;
  engine: Engine;
  app: App;
  scheduler?: Scheduler;
  /** Listens on 127.0.0.1, port 0; returns the base URL. */
  listen(): Promise<string>;
  /** Closes the app and the store (idempotent). */
  close(): Promise<void>;
}

const open: HttpFixture[] = [];

afterEach(async () => {
  for (const f of open.splice(0)) await f.close();
});

export interface FixtureOptions {
  env?: Record<string, string>;
  handlers?: readonly CategoryHandler[];
  scheduler?: boolean;
  /** Reuse a root (restart tests). */
  root?: string;
  logger?: pino.Logger;
}

/** Builds an app over a fresh (or given) root. */
export function makeHttpFixture(opts: FixtureOptions = {}): HttpFixture {
  const root = opts.root ?? makeTempDir('cw-http-');
  const settings = settingsFor(root, opts.env);
  const store = openStateStore(settings);
  const logger = opts.logger ?? pino({ level: 'silent' });
  const engine = createEngine({ settings, store, logger, handlers: opts.handlers });
  const scheduler = opts.scheduler ? createScheduler({ settings, engine, logger }) : undefined;
  const app = buildApp({ settings, engine, store, logger, scheduler });
  let closed = false;
  const fixture: HttpFixture = {
    root,
    settings,
    store,
    engine,
    app,
    scheduler,
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      store.close();
    },
  };
  open.push(fixture);
  return fixture;
}

/** Old log files (90 days old by the real clock, so any run with the default 30-day limit removes them). */
export function writeOldLogs(root: string, names = ['old-1.log', 'old-2.log', 'nested/old-3.log.1']): string[] {
  const old = Date.now() - 90 * DAY;
  return names.map((n) => writeFileAt(root, `logs/${n}`, old, 'x'.repeat(100)));
}

/** A gate a test opens by hand: `wait` resolves when `open()` is called. */
export function makeGate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => {
    open = r;
  });
  return { wait, open };
}

/** A handler that reports one item, then waits at the gate (holding the run and its lock). */
export function heldHandler(gate: Promise<void>, started?: () => void): CategoryHandler {
  return {
    category: 'logs',
    async run(ctx) {
      started?.();
      ctx.report.item({ category: 'logs', target: 'logs/held.log', bytes: 1, action: 'delete', reason: 'test' });
      await Promise.race([gate, new Promise((r) => ctx.signal.addEventListener('abort', r, { once: true }))]);
    },
  };
}

/** A pino logger whose JSON lines land in `lines`. */
export function captureLogger(level: pino.Level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
