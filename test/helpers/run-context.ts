/** A RunContext with a reporter that collects everything, for handler tests. */
import type { Settings } from '../../src/config/settings.js';
import { resolvePolicy } from '../../src/config/settings.js';
import type { RunOverrides } from '../../src/config/schema.js';
import type { Category } from '../../src/engine/types.js';
import type { EngineLogger, Reporter, RunContext } from '../../src/engine/context.js';
import type { Item, ItemError, Skipped } from '../../src/engine/types.js';
import { NOW } from './temp-root.js';

export interface Collected {
  items: Item[];
  skipped: Skipped[];
  errors: ItemError[];
  warnings: string[];
}

export const silentLogger: EngineLogger = { info() {}, warn() {}, error() {}, debug() {} };

export function makeContext(
  settings: Settings,
  opts: {
    dryRun?: boolean;
    now?: number;
    overrides?: RunOverrides;
    signal?: AbortSignal;
    beforeExecute?: (c: Category) => Promise<void> | void;
  } = {},
): { ctx: RunContext; out: Collected } {
  const out: Collected = { items: [], skipped: [], errors: [], warnings: [] };
  const report: Reporter = {
    item: (i) => out.items.push(i),
    skipped: (s) => out.skipped.push(s),
    error: (e) => out.errors.push(e),
    warning: (w) => out.warnings.push(w),
    progress: () => {},
  };
  const ctx: RunContext = {
    settings,
    policy: resolvePolicy(settings, opts.overrides),
    now: opts.now ?? NOW,
    dryRun: opts.dryRun ?? false,
    runId: 'test-run',
    report,
    signal: opts.signal ?? new AbortController().signal,
    logger: silentLogger,
    beforeExecute: opts.beforeExecute,
  };
  return { ctx, out };
}
