/**
 * A restore run (`restore --run R`, `POST /runs/R/restore`): the engine's run with the lock and
 * the history like any other (its items have action `restore`), whose work is putting back what
 * run R moved into the trash. It is journaled (journal.ts) before it starts and forgotten when it
 * is done; one a kill interrupted is completed by the next run or restore first.
 */
import { DEFAULT_KEEP_HOURS } from '../../config/trash-settings.js';
import type { RunContext } from '../context.js';
import type { Journal } from './journal.js';
import { isRunId } from './layout.js';
import { restoreFiles } from './restore-files.js';
import { restoreRows } from './restore-rows.js';
import { type RestoreRequest, selectionOf } from './selection.js';
import { trashVersions } from './trash-tables.js';
import { openJournal } from './journal.js';
import { resolveUnderRoot } from '../../safety/safe-path.js';
import { runTrashRel } from './layout.js';
import { quoteIdent } from '../db/open.js';
import { RUN_ID } from '../db/archive-table.js';

/** Restores what `req` selects of run `req.runId`'s trash, after completing any interrupted restore. */
export async function restoreFromTrash(ctx: RunContext, req: RestoreRequest): Promise<void> {
  const trash = ctx.trash;
  if (!trash) throw new TypeError('a restore needs ctx.trash');
  trash.journal = openJournal(ctx.settings, 'write');
  const journal = trash.journal;
  if (journal) await completeRestores(ctx, journal);
  const id = journal?.beginRestore(req.runId, JSON.stringify(req), ctx.runId);
  const before = ctx.report;
  let found = 0;
  const counted = <T>(report: (x: T) => void) => (x: T) => {
    found++;
    report(x);
  };
  const counting: RunContext = { ...ctx, report: { ...before, item: counted(before.item), error: counted(before.error) } };
  await restoreSome(counting, journal, req, `restored from the trash of run ${req.runId}`);
  if (journal && id !== undefined) journal.endRestore(id);
  if (found === 0) ctx.report.warning(`nothing in the trash of run ${req.runId}${req.category || req.targets?.length ? ' matches' : ''}: it trashed nothing, or it was purged after keep_hours or restored already`);
}

/**
 * Completes the restores a kill interrupted (their journal entries), each with its own request:
 * what they put back already is found in place and only leaves the trash. Their items are the
 * current run's, with a reason saying so.
 */
export async function completeRestores(ctx: RunContext, journal: Journal): Promise<void> {
  for (const p of journal.pendingRestores()) {
    let req: RestoreRequest;
    try {
      req = JSON.parse(p.request) as RestoreRequest;
      if (typeof req.runId !== 'string' || !isRunId(req.runId)) throw new Error('no run id');
    } catch {
      ctx.report.warning(`an interrupted restore (journal entry ${p.id}) cannot be read; dropped`);
      journal.endRestore(p.id);
      continue;
    }
    await restoreSome(ctx, journal, req, `restored from the trash of run ${req.runId} (completing restore run ${p.restoreRunId}, which was interrupted)`);
    journal.endRestore(p.id);
  }
}

/**
 * Restores what `req` selects, holding it first (journal.ts) for keep_hours: a run in that window
 * keeps it (skipped, with the reason), so the schedule does not take it straight back while the
 * policy that removed it is fixed. Held before anything moves, so a kill halfway holds it all.
 */
async function restoreSome(ctx: RunContext, journal: Journal | null, req: RestoreRequest, reason: string): Promise<void> {
  const sel = selectionOf(req);
  const until = ctx.now + (ctx.settings.trash?.keepHours ?? DEFAULT_KEEP_HOURS) * 3_600_000;
  const hold = (targets: readonly string[]) => journal?.hold(targets, until, ctx.runId);
  await restoreFiles(ctx, sel, reason, hold);
  if (!journal) return;
  restoreRows(ctx, journal, sel, reason, hold);
  if (isEmpty(ctx, journal, req.runId)) journal.forgetRun(req.runId);
}

/** True when run `runId` has nothing left in the trash (its folder gone, no copies left). */
function isEmpty(ctx: RunContext, journal: Journal, runId: string): boolean {
  try {
    if (resolveUnderRoot(ctx.settings.root, runTrashRel(ctx.settings, runId), 'trash folder').stat) return false;
  } catch {
    return false;
  }
  for (const { table } of journal.tables(runId)) {
    for (const v of trashVersions(journal.db, table)) {
      if (journal.db.prepare(`SELECT 1 FROM ${quoteIdent(v.name)} WHERE ${quoteIdent(RUN_ID)} = ? LIMIT 1`).get(runId)) return false;
    }
  }
  return true;
}
