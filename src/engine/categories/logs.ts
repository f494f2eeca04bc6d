/**
 * Logs (SPEC 1): files anywhere under logs/ whose names end `.log`, `.log.N`, `.log.gz`,
 * `.log.N.gz`, `.log-YYYYMMDD` or `.log-YYYYMMDD.gz`, deleted when modified strictly more
 * than the logs age limit (log_age_days) ago. Every other file is left alone.
 */
import type { CategoryHandler, RunContext } from '../context.js';
import { walkBound, walkCategoryChunks } from '../fs/collect.js';
import { createFileExecutor, stillOldEnough } from '../fs/file-executor.js';
import { openCategoryFolder, openFileScope, toCandidate } from '../fs/scope.js';
import { cutoffFor, decideFile } from '../planner.js';
import type { Decision, FileCandidate } from '../../domain/types.js';

// `s`: a name may hold a newline (Linux allows any byte but `/` and NUL); it is still a log.
const LOG_NAME = /^.+\.log(?:(?:\.\d+)?(?:\.gz)?|-\d{8}(?:\.gz)?)$/s;

/** True when a file name is one of the log layouts above (case-sensitive). */
export function isLogName(name: string): boolean {
  return LOG_NAME.test(name);
}

/**
 * Streams the plan: each walker chunk holds only log names old enough to go (the walker's
 * pre-filter); the planner decides on each and the executor carries the chunk out before the
 * next one is taken, so memory is bounded by the chunks in flight, not by the folder's size.
 */
async function runLogs(ctx: RunContext): Promise<void> {
  const scope = await openFileScope(ctx);
  if (!scope) return;
  const folder = await openCategoryFolder(ctx, scope, 'logs', ctx.settings.paths.logs);
  if (!folder) return;
  const executor = createFileExecutor(ctx, scope, 'logs', () => stillOldEnough(ctx));
  const filter = { filesOlderThan: walkBound(cutoffFor('logs', ctx.policy, ctx.now)), fileName: LOG_NAME, dirs: false };
  await walkCategoryChunks(
    ctx,
    'logs',
    folder,
    filter,
    async (records) => {
      const decisions: Decision<FileCandidate>[] = [];
      for (const r of records) {
        if (r.kind !== 'file' || !isLogName(r.rel.slice(r.rel.lastIndexOf('/') + 1))) continue;
        const d = decideFile(toCandidate(scope, folder, 'logs', r), ctx.policy, ctx.now);
        if (d.action !== 'keep') decisions.push(d);
      }
      await executor.run(decisions);
    },
    'the rest is kept',
  );
}

/** The `logs` category. */
export const logsHandler: CategoryHandler = { category: 'logs', run: runLogs };
