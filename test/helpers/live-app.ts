/**
 * An app wired like the server (http/live-service.ts): the engine reads the config service's
 * live settings and the scheduler is re-armed on every change. For the config API tests.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { afterEach } from 'vitest';
import { type LoadOptions, loadSettings } from '../../src/config/settings.js';
import { type App, buildApp } from '../../src/http/app.js';
import type { ConfigService } from '../../src/http/config-service.js';
import { createLiveService } from '../../src/http/live-service.js';
import type { Engine } from '../../src/engine/engine.js';
import type { Scheduler } from '../../src/scheduler/scheduler.js';
import { openStateStore } from '../../src/store/state-store.js';
import type { StateStore } from '../../src/store/types.js';
import { makeTempDir } from './temp-root.js';

export interface LiveApp {
  root: string;
  app: App;
  store: StateStore;
  engine: Engine;
  config: ConfigService;
  scheduler: Scheduler;
  configFile?: string;
}

const open: LiveApp[] = [];
afterEach(async () => {
  for (const l of open.splice(0)) {
    await l.app.close();
    l.store.close();
  }
});

/** A live app over a fresh root; `file` (if given) is written as the config file next to the root. */
export async function makeLiveApp(opts: { env?: Record<string, string>; file?: Record<string, unknown> } = {}): Promise<LiveApp> {
  const dir = makeTempDir('cw-live-');
  const root = path.join(dir, 'root');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(root);
  let configFile: string | undefined;
  if (opts.file) {
    configFile = path.join(dir, 'cleanup.json');
    writeFileSync(configFile, JSON.stringify(opts.file, null, 2));
  }
  const load: LoadOptions = { env: { ...(opts.env ?? {}) }, root, configFile };
  const settings = loadSettings(load);
  const store = openStateStore(settings);
  const logger = pino({ level: 'silent' });
  const { config, engine, scheduler } = createLiveService({ settings, load, store, logger });
  const app = buildApp({ settings, engine, store, logger, scheduler, config, load });
  await app.ready();
  const live = { root, app, store, engine, config, scheduler, configFile };
  open.push(live);
  return live;
}
