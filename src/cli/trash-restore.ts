/**
 * `cleanup-worker restore --run RUN_ID [--category C] [--target PATH]…` (README, Trash and restore): put back
 * what run RUN_ID moved into the trash, through the engine (the same lock and history as every
 * run: the restore is a run with trigger `cli` whose items have action `restore`). Never over an
 * existing file or row: each conflict is printed, its item stays in the trash, and the exit code
 * is 1. Exit 0 everything selected came back, 2 a bad run id or an unknown run, 3 a run is going.
 */
import { engineSettingsOf } from '../config/engine-settings.js';
import type { Settings } from '../config/settings.js';
import { catalogEntryOf } from '../domain/errors.js';
import type { RunResult } from '../domain/types.js';
import { createEngine } from '../engine/engine.js';
import type { RestoreRequest } from '../engine/trash/selection.js';
import { closeLogger, createLogger } from '../logging.js';
import { openStateStore } from '../store/state-store.js';
import type { StateStore } from '../store/types.js';
import { escapeControls } from './escape.js';
import { type CliIo, EXIT, say, writeJson } from './io.js';
import { formatBytes, renderProblems } from './render.js';

/** Runs a parsed `restore --run`; returns the exit code. */
export async function runTrashRestore(req: RestoreRequest, json: boolean, settings: Settings, io: CliIo): Promise<number> {
  const logger = createLogger(settings, { stdout: false, onProblem: (m) => say(io, `warning: ${m}`) });
  let store: StateStore | null = null;
  try {
    store = openStateStore(settings);
    const engine = createEngine({ settings: engineSettingsOf(settings), store, logger });
    const result = await engine.runOnce({ trigger: 'cli', dryRun: false, restore: req, signal: io.signal });
    if (json) writeJson(io, result);
    else {
      io.stdout.write(renderRestore(result, req));
      const problems = renderProblems(result, false);
      if (problems) io.stderr.write(problems);
    }
    return result.success ? EXIT.ok : EXIT.failed;
  } catch (err) {
    const known = catalogEntryOf(err);
    if (!known || known.exit === EXIT.failed) throw err;
    say(io, `${(err as Error).message}; ${known.code === 'ERR_CLEANUP_BUSY' ? 'try again later' : 'see --help'}`);
    return known.exit;
  } finally {
    store?.close();
    await closeLogger(logger);
  }
}

/** What came back, one line per item (the first 50), then how many did not. */
export function renderRestore(result: RunResult, req: RestoreRequest): string {
  const restored = result.items.filter((i) => i.action === 'restore');
  const n = result.items_total;
  const lines = [`Restored ${n} ${n === 1 ? 'item' : 'items'} from the trash of run ${req.runId} (restore run ${result.run_id}):`];
  for (const i of restored.slice(0, 50)) lines.push(`  ${i.target}${i.target.includes(':') ? '' : ` (${formatBytes(i.bytes)})`}`);
  if (n > Math.min(50, restored.length)) lines.push(`  … and ${n - Math.min(50, restored.length)} more (GET /api/system/cleanup/runs/${result.run_id})`);
  const failed = result.errors.length;
  if (failed > 0) lines.push(`Not restored: ${failed} (they stay in the trash; see below)`);
  return `${lines.map(escapeControls).join('\n')}\n`;
}

/** The line after a real run's summary when it moved things into the trash (and how to undo it). */
export function renderTrashed(result: RunResult): string {
  const verb = result.dry_run ? 'To move to the trash' : 'Moved to the trash';
  return `  ${verb}: ${result.space_trashed_mb.toFixed(2)} MB (restore with: cleanup-worker restore --run ${result.run_id})\n`;
}
