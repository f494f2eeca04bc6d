/** Runs the real engine (every category, real state store) once over a root, and closes the store. */
import pino from 'pino';
import { Writable } from 'node:stream';
import type { Settings } from '../../src/config/settings.js';
import type { RunOverrides } from '../../src/config/schema.js';
import { createEngine } from '../../src/engine/engine.js';
import type { RunResult } from '../../src/domain/types.js';
import { openStateStore } from '../../src/store/state-store.js';
import { NOW } from './temp-root.js';

/** One real (or dry) run; `log` collects the pino lines when given. */
export async function runEngine(settings: Settings, opts: { dryRun?: boolean; overrides?: RunOverrides; log?: string[] } = {}): Promise<RunResult> {
  const store = openStateStore(settings);
  const sink = new Writable({
    write(chunk, _enc, done) {
      opts.log?.push(chunk.toString());
      done();
    },
  });
  const logger = pino({ level: opts.log ? 'debug' : 'silent' }, sink);
  try {
    return await createEngine({ settings, store, logger }).runOnce({ trigger: 'cli', dryRun: opts.dryRun ?? false, overrides: opts.overrides, now: NOW });
  } finally {
    store.close();
  }
}
