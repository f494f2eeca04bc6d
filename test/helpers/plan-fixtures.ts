/** Engines over a temp root for the plan and brake tests: real files, real state store, a fixed clock. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import type { RunEvent, RunListener } from '../../src/domain/events.js';
import { createEngine, type Engine } from '../../src/engine/engine.js';
import { openStateStore } from '../../src/store/state-store.js';
import type { StateStore } from '../../src/store/types.js';
import { silentLogger } from './run-context.js';
import { makeTempDir, settingsFor } from './temp-root.js';

const stores: StateStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

export interface EngineFixture {
  root: string;
  settings: Settings;
  store: StateStore;
  engine: Engine;
  events: RunEvent[];
}

/** A root (fresh unless given) with an optional config file (`config`, JSON) and the real engine over it. */
export function engineFixture(opts: { root?: string; config?: unknown; env?: Record<string, string> } = {}): EngineFixture {
  const root = opts.root ?? makeTempDir('cw-plans-');
  let configFile: string | undefined;
  if (opts.config !== undefined) {
    configFile = path.join(root, '..', `${path.basename(root)}.config.json`);
    writeFileSync(configFile, JSON.stringify(opts.config));
  }
  const settings = settingsFor(root, opts.env, configFile);
  const store = openStateStore(settings);
  stores.push(store);
  const events: RunEvent[] = [];
  const listener: RunListener = { onEvent: (e) => void events.push(e) };
  const engine = createEngine({ settings, store, logger: silentLogger, listeners: [listener] });
  return { root, settings, store, engine, events };
}
