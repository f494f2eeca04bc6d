/**
 * A cleanup run from the command line: the same engine, lock and history as the API (trigger
 * `cli`). A root that does not exist is reported and left alone: no state database, no log
 * file, nothing created (SPEC section 7: a missing root is not an error). A root whose state
 * folder cannot be written (read-only file system) still gets its dry run, unrecorded and saying
 * so; a real run there is refused before anything is deleted.
 */
import { existsSync, statSync } from 'node:fs';
import { engineSettingsOf } from '../config/engine-settings.js';
import { policyForEveryEnvironment } from '../config/backup-policy.js';
import type { RunOverrides } from '../config/schema.js';
import { resolvePolicy, type Settings } from '../config/settings.js';
import { catalogEntryOf } from '../domain/errors.js';
import { createEngine } from '../engine/engine.js';
import { emptyStats } from '../domain/stats.js';
import { describePolicy } from '../engine/planner.js';
import type { RunResult } from '../domain/types.js';
import { closeLogger, createLogger } from '../logging.js';
import { StateUnavailableError } from '../store/state-location.js';
import { openMemoryStateStore, openStateStore } from '../store/state-store.js';
import type { StateStore } from '../store/types.js';
import { missingSecrets } from '../config/notifications.js';
import { createSender } from '../notify/sender.js';
import type { CliCommand } from './args.js';
import { type CliIo, EXIT, PROGRAM, say, writeJson } from './io.js';
import { LIST_PER_CATEGORY, renderDryRun, renderKept, renderProblems, renderSummary } from './render.js';
import { renderTrashed } from './trash-restore.js';
import { renderPlanLine, renderRefused } from './render-plan.js';

/** Runs one cleanup and prints it. Returns the exit code: 0 done, 1 failed items, 2 config, 3 busy. */
export async function runCleanup(cmd: CliCommand, settings: Settings, io: CliIo): Promise<number> {
  // Validate the flags against the policy first (it throws ConfigError), so even a missing root
  // gets the same answer to a bad flag.
  const overrides = withPolicyFlags(cmd, settings);
  const policy = resolvePolicy(settings, overrides);
  if (!existsSync(settings.root)) return print(missingRootResult(settings, cmd.dryRun), settings, io, cmd, describePolicy(policy));
  if (!statSync(settings.root).isDirectory()) {
    say(io, `root ${settings.root} is not a directory; check --root / ARCHITECT_HOME`);
    return EXIT.usage;
  }
  const logger = createLogger(settings, { stdout: false, onProblem: (m) => say(io, `warning: ${m}`) });
  let store: StateStore | null = null;
  try {
    const opened = openStore(settings, cmd.dryRun);
    if (typeof opened === 'string') {
      say(io, opened);
      return EXIT.failed;
    }
    store = opened.store;
    const engine = createEngine({ settings: engineSettingsOf(settings), store: withProgress(store, io, cmd.json), logger });
    const result = await engine.runOnce({
      trigger: 'cli',
      dryRun: cmd.dryRun,
      overrides,
      signal: io.signal,
      confirmLarge: cmd.allowLarge === true,
      ...(cmd.applyPlanId === undefined ? {} : { planId: cmd.applyPlanId }),
    });
    if (opened.unrecorded) {
      result.warnings.push(opened.unrecorded);
      delete result.plan_id; // held in memory only: nothing could apply it later
    }
    const code = print(result, settings, io, cmd, describePolicy(policy));
    if (!opened.unrecorded) await flushNotifications(settings, store, result.run_id, logger);
    return code;
  } catch (err) {
    const known = catalogEntryOf(err);
    // A plan that cannot be applied (unknown, expired, applied already) says so; nothing ran.
    if (known?.code.startsWith('ERR_CLEANUP_PLAN_')) {
      say(io, (err as Error).message);
      return known.exit;
    }
    if (!known || known.exit === 1) throw err;
    say(io, `${(err as Error).message}; ${known.code === 'ERR_CLEANUP_BUSY' ? 'try again later' : 'see --help'}`);
    return known.exit;
  } finally {
    store?.close();
    await closeLogger(logger);
  }
}

/** How long a CLI run waits for its notifications before it exits; the server's sender delivers the rest. */
export const CLI_FLUSH_MS = 5_000;

/**
 * Tries to deliver the run's notifications before the CLI exits, for at most CLI_FLUSH_MS (each
 * attempt's deadline shortened to fit). A failed attempt is recorded and retried later by the
 * server. Skipped when this shell lacks a secret the config names: the server has it.
 */
async function flushNotifications(settings: Settings, store: StateStore, runId: string, logger: ReturnType<typeof createLogger>): Promise<void> {
  const n = settings.notifications;
  if ((!n.webhooks.length && !n.email) || missingSecrets(n).length) return;
  const sender = createSender({ outbox: store.outbox, notifications: n, publicUrl: settings.publicUrl, logger, timeoutMs: CLI_FLUSH_MS });
  try {
    await sender.flush(runId, CLI_FLUSH_MS);
  } catch (err) {
    logger.warn({ err }, 'notifications not flushed; the server will deliver them');
  } finally {
    await sender.stop();
  }
}

/**
 * The root's state store; for a dry run whose state folder cannot be written (read-only file
 * system, permissions), an in-memory one and the warning that says the run is not recorded. For
 * a real run there, the one-line refusal (nothing has been deleted). A link on the way throws.
 */
function openStore(settings: Settings, dryRun: boolean): { store: StateStore; unrecorded: string | null } | string {
  try {
    return { store: openStateStore(settings), unrecorded: null };
  } catch (err) {
    if (!(err instanceof StateUnavailableError)) throw err;
    if (!dryRun) return `${err.message}; a real run is refused (it could not be locked against other runs nor recorded); nothing was deleted`;
    return { store: openMemoryStateStore(), unrecorded: `this dry run could not be recorded: ${err.message}` };
  }
}

/** `--keep-daily N` … as the run's `backup_policy`: the rules for every environment the settings name, and `default`. */
function withPolicyFlags(cmd: CliCommand, settings: Settings): RunOverrides {
  if (Object.keys(cmd.policyFlags).length === 0) return cmd.overrides;
  return { ...cmd.overrides, backup_policy: policyForEveryEnvironment(cmd.policyFlags, settings.policy) };
}

function print(result: RunResult, settings: Settings, io: CliIo, cmd: CliCommand, policyLines: string[]): number {
  if (result.status === 'refused') return printRefused(result, io, cmd.json);
  if (cmd.json) {
    writeJson(io, result);
  } else {
    // --explain lists every item and every kept backup with its reasons, not the first few.
    const perCategory = cmd.explain ? Number.POSITIVE_INFINITY : LIST_PER_CATEGORY;
    io.stdout.write(result.dry_run ? renderDryRun(result, settings.root, policyLines, perCategory, undefined, cmd.explain) : renderSummary(result.stats));
    // After SPEC 6's summary, never inside it: what went to the trash is not freed yet.
    if (result.space_trashed_mb > 0 || result.items.some((i) => i.action === 'trash')) io.stdout.write(renderTrashed(result));
    if (!result.dry_run && cmd.explain) io.stdout.write(renderKept(result));
    if (result.plan_id) io.stdout.write(renderPlanLine(result.plan_id, settings.limits.planTtlMinutes));
    const problems = renderProblems(result, result.dry_run);
    if (problems) io.stderr.write(problems);
  }
  return result.success ? EXIT.ok : EXIT.failed;
}

/** A run a brake refused (issue 15): nothing was deleted; what was planned, why, and how to confirm. Exit 4. */
function printRefused(result: RunResult, io: CliIo, json: boolean): number {
  if (json) writeJson(io, result);
  else io.stdout.write(renderRefused(result));
  say(io, result.refused_reason ?? 'refused');
  return EXIT.refused;
}

/**
 * The answer for a root that does not exist: nothing to clean, zero counts, the engine's
 * warning. No run is recorded (recording would create the root), so `run_id` is empty.
 */
function missingRootResult(settings: Settings, dryRun: boolean): RunResult {
  const now = new Date().toISOString();
  return {
    success: true,
    dry_run: dryRun,
    run_id: '',
    trigger: 'cli',
    started_at: now,
    finished_at: now,
    duration_ms: 0,
    status: 'succeeded',
    stats: emptyStats(),
    space_trashed_mb: 0,
    items: [],
    items_total: 0,
    skipped: [],
    skipped_total: 0,
    kept: [],
    kept_total: 0,
    errors: [],
    warnings: [`root ${settings.root} does not exist; nothing to clean (nothing was created or recorded)`],
  };
}

/**
 * Passes the engine's progress through to stderr, one line per category and phase, when a
 * person is watching (stderr is a TTY and the output is not JSON). Quick runs print nothing:
 * the engine reports progress at most every 500 ms.
 */
function withProgress(store: StateStore, io: CliIo, json: boolean): StateStore {
  if (json || !io.stderr.isTTY) return store;
  let last = '';
  return {
    startRun: (run) => store.startRun(run),
    appendItems: (runId, items) => store.appendItems(runId, items),
    finishRun: (runId, result) => store.finishRun(runId, result),
    markInterrupted: () => store.markInterrupted(),
    listRuns: (limit, offset) => store.listRuns(limit, offset),
    getRun: (runId) => store.getRun(runId),
    listItems: (runId, limit, offset) => store.listItems(runId, limit, offset),
    lastRealRun: () => store.lastRealRun(),
    runningRun: () => store.runningRun(),
    runState: () => store.runState(),
    lastSuccessAt: () => store.lastSuccessAt(),
    planAppliedBy: (planId) => store.planAppliedBy(planId),
    appliedPlanOf: (runId) => store.appliedPlanOf(runId),
    brakeHistory: (trigger, n) => store.brakeHistory(trigger, n),
    lastRealClock: () => store.lastRealClock(),
    outbox: store.outbox,
    database: () => store.database(),
    close: () => store.close(),
    updateProgress(runId, progress) {
      store.updateProgress(runId, progress);
      const line = `${progress.category ?? ''} ${progress.phase ?? ''}`.trim();
      if (line && line !== last) {
        last = line;
        io.stderr.write(`${PROGRAM}: ${line}… (${progress.items_so_far} items so far)\n`);
      }
    },
  };
}
