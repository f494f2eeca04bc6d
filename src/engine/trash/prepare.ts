/**
 * The trash's part at the start of every cleanup run, before any category is planned
 * (README, Trash and restore): complete a restore a kill interrupted, purge the runs whose trash is older than
 * `keep_hours`, and, when the root's file system has less than `min_free_percent` free, purge the
 * rest of the trash oldest run first until it has enough. Then decide once whether this run moves
 * what it removes into the trash (RunContext.trash.active): yes with a `trash` setting, unless the
 * file system is still too full with the trash empty (a disk-full host gets its space back: the
 * run deletes, and says so). A dry run lists the same purges and decides the same way.
 */
import { statfsSync } from 'node:fs';
import { DEFAULT_KEEP_HOURS } from '../../config/trash-settings.js';
import type { RunContext } from '../context.js';
import { type Journal, openJournal } from './journal.js';
import { ageReason, expiredRuns, purgeRun } from './purge.js';
import { completeRestores } from './restore-run.js';

/** Free and total bytes of a file system. */
export interface FileSystemSpace {
  totalBytes: number;
  freeBytes: number;
}

/** Opens the journal, purges, and sets ctx.trash.active. Throws (failing the run before it deletes anything) when a configured trash cannot be used. */
export async function prepareTrash(ctx: RunContext): Promise<void> {
  const trash = ctx.trash;
  if (!trash) return;
  const cfg = ctx.settings.trash;
  try {
    trash.journal = openJournal(ctx.settings, ctx.dryRun ? 'read' : cfg ? 'create' : 'write');
  } catch (err) {
    // A trash that is asked for and cannot be used must not turn into plain deletion.
    if (cfg) throw err;
    ctx.report.warning(`the trash cannot be read (${(err as Error).message}); it is not purged`);
  }
  const journal = trash.journal;
  const purged = new Set<string>();
  if (journal) {
    const pending = journal.pendingRestores();
    if (ctx.dryRun && pending.length > 0) ctx.report.warning(`${pending.length} interrupted restore(s) (run ${pending.map((p) => p.runId).join(', ')}): the next real run completes them`);
    else if (pending.length > 0) await completeRestores(ctx, journal);
    // With the trash switched off, what it holds is still purged after the default window.
    const keep = cfg?.keepHours ?? DEFAULT_KEEP_HOURS;
    for (const run of expiredRuns(journal, ctx.now, keep)) {
      await purgeRun(ctx, journal, run, ageReason(run, ctx.now, keep));
      purged.add(run.runId);
    }
    // After completing restores: what they put back is held too.
    trash.holds = journal.holds(ctx.now);
  }
  trash.active = cfg !== null && (cfg.minFreePercent === null || (await makeRoom(ctx, journal, cfg.minFreePercent, purged)));
}

/**
 * Purges the trash oldest run first while the file system has less than `minPercent` free.
 * Returns true when it has enough (or cannot be measured), false when it stays below with the trash empty.
 */
async function makeRoom(ctx: RunContext, journal: Journal | null, minPercent: number, purged: ReadonlySet<string>): Promise<boolean> {
  let space = readSpace(ctx);
  if (!space) return true;
  const below = (s: FileSystemSpace) => s.totalBytes > 0 && (s.freeBytes / s.totalBytes) * 100 < minPercent;
  if (!below(space)) return true;
  const start = percent(space);
  const reason = `the file system had ${start}% free, below min_free_percent ${minPercent}: the trash is purged oldest first`;
  let estimate = space.freeBytes;
  for (const run of journal?.runs() ?? []) {
    if (purged.has(run.runId)) continue;
    const freed = await purgeRun(ctx, journal as Journal, run, reason);
    // A dry run frees nothing: it estimates by the bytes it lists.
    estimate += freed;
    space = ctx.dryRun ? { ...space, freeBytes: estimate } : (readSpace(ctx) ?? { ...space, freeBytes: estimate });
    if (!below(space)) return true;
  }
  ctx.report.warning(
    `the root's file system has ${percent(space)}% free, below min_free_percent ${minPercent}, even with the trash empty: this run deletes instead of moving to the trash`,
  );
  return false;
}

function percent(s: FileSystemSpace): number {
  return Math.floor((s.freeBytes / s.totalBytes) * 1000) / 10;
}

/** The root's file system space (a test hook may stand in for statfs), or null when it cannot be read. */
function readSpace(ctx: RunContext): FileSystemSpace | null {
  try {
    const hook = ctx.trashHooks?.fileSystem;
    if (hook) return hook();
    const s = statfsSync(ctx.settings.root);
    return { totalBytes: s.blocks * s.bsize, freeBytes: s.bavail * s.bsize };
  } catch (err) {
    ctx.report.warning(`the free space of ${ctx.settings.root} cannot be read (${(err as NodeJS.ErrnoException).code ?? err}); the trash is not purged for space`);
    return null;
  }
}
