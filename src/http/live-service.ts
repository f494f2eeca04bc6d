/**
 * The service's moving parts wired so that a configuration change reaches all of them without a
 * restart: the config service owns the live settings, the engine reads them at the start of every
 * run, and the scheduler is re-armed on each change (buildApp adds that listener).
 */
import type { LoadOptions, Settings } from '../config/settings.js';
import type { RunListener } from '../domain/events.js';
import type { CategoryHandler, EngineLogger } from '../engine/context.js';
import { createEngine, type Engine } from '../engine/engine.js';
import { createScheduler, type Scheduler } from '../scheduler/scheduler.js';
import type { StateStore } from '../store/types.js';
import { type ConfigService, createConfigService } from './config-service.js';

export interface LiveServiceDeps {
  settings: Settings;
  load: LoadOptions;
  store: StateStore;
  logger: EngineLogger;
  /** Test hook: the engine's handlers. */
  handlers?: readonly CategoryHandler[];
  /** Run listeners (metrics, notifications): see createEngine. */
  listeners?: readonly RunListener[];
}

/** Creates the config service, an engine reading its live settings, and the scheduler; pass all three to buildApp. */
export function createLiveService(deps: LiveServiceDeps): { config: ConfigService; engine: Engine; scheduler: Scheduler } {
  const config = createConfigService({ settings: deps.settings, load: deps.load, store: deps.store });
  const engine = createEngine({
    get settings() {
      return config.current();
    },
    store: deps.store,
    logger: deps.logger,
    handlers: deps.handlers,
    listeners: deps.listeners,
  });
  const scheduler = createScheduler({ settings: deps.settings, engine, logger: deps.logger });
  return { config, engine, scheduler };
}
