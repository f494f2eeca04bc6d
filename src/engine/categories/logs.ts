/**
 * Logs (SPEC 1): files anywhere under logs/ whose names end `.log`, `.log.N`, `.log.gz`,
 * `.log.N.gz`, `.log-YYYYMMDD` or `.log-YYYYMMDD.gz`, deleted when modified strictly more
 * than policy.logAgeDays ago. Every other file is left alone.
 */
import type { CategoryHandler, RunContext } from '../context.js';
import { walkCategoryFolder } from '../fs/collect.js';
import { carryOutPlan, stillOldEnough } from '../fs/file-executor.js';
import { openCategoryFolder, openFileScope, toCandidate } from '../fs/scope.js';
import { decideFile } from '../planner.js';
import type { Decision, FileCandidate } from '../types.js';

// `s`: a name may hold a newline (Linux allows any byte but `/` and NUL); it is still a log.
const LOG_NAME = /^.+\.log(?:(?:\.\d+)?(?:\.gz)?|-\d{8}(?:\.gz)?)$/s;

/** True when a file name is one of the log layouts above (case-sensitive). */
export function isLogName(name: string): boolean {
  return LOG_NAME.test(name);
}

async function runLogs(ctx: RunContext): Promise<void> {
  const scope = await openFileScope(ctx);
  if (!scope) return;
  const folder = await openCategoryFolder(ctx, scope, 'logs', ctx.settings.paths.logs);
  if (!folder) return;
  // Only what the policy removes (or would, but for a protection) is kept in memory.
  const decisions: Decision<FileCandidate>[] = [];
  const ok = await walkCategoryFolder(ctx, 'logs', folder, {}, (r) => {
    if (r.kind !== 'file' || !isLogName(r.rel.slice(r.rel.lastIndexOf('/') + 1))) return;
    const d = decideFile(toCandidate(scope, folder, 'logs', r), ctx.policy, ctx.now);
    if (d.action !== 'keep') decisions.push(d);
  });
  if (!ok) return;
  await carryOutPlan(ctx, scope, 'logs', decisions, () => stillOldEnough(ctx));
}

/** The `logs` category. */
export const logsHandler: CategoryHandler = { category: 'logs', run: runLogs };
