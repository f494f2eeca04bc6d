/**
 * Carries out a file category's plan: reports protected items as skipped, and either lists
 * the deletions (dry run) or deletes them with a re-check at the moment of deletion (SPEC 3.6).
 * Deletions run with bounded concurrency in batches, checking ctx.signal between batches.
 */
import type { Stats } from 'node:fs';
import { lstat, realpath, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { RunContext } from '../context.js';
import { decideFile } from '../planner.js';
import type { Decision, FileCandidate, FileCategory } from '../types.js';
import { mapLimit } from './limit.js';
import { openReason } from './open-files.js';
import { type FileScope, refreshOpenFiles } from './scope.js';

/** Unlinks in flight at once. */
const CONCURRENCY = 32;
/** Deletions between two looks at ctx.signal (and two progress reports). */
const BATCH = 512;

/**
 * Decides, from a fresh view of a planned file, whether the policy still removes it:
 * returns the reason to keep it, or undefined. Categories pass their own rule.
 */
export type StillDue = (fresh: FileCandidate) => string | undefined;

/** Builds the StillDue rule right before deleting, after ctx.beforeExecute (backups re-plan then). */
export type PrepareStillDue = () => StillDue | Promise<StillDue>;

/** The StillDue rule of the age-based categories (logs, temp): the planner must still not keep it. */
export function stillOldEnough(ctx: RunContext): StillDue {
  return (fresh) =>
    decideFile(fresh, ctx.policy, ctx.now).action === 'keep' ? 'changed since it was planned (no longer old enough)' : undefined;
}

type Outcome = { kind: 'deleted' } | { kind: 'skipped'; reason: string } | { kind: 'error'; message: string };

/**
 * Reports `skip` decisions, then: in a dry run reports every `delete` as an item and touches
 * nothing; in a real run awaits ctx.beforeExecute, rescans open files, calls `prepare`, and
 * deletes each file that passes the re-checks (same inode, size and mtime, still due, not open,
 * same folder), reporting it as an item only once it is gone. Returns the targets
 * removed (in a dry run: that would be removed). Never throws for operational problems.
 */
export async function carryOutPlan(
  ctx: RunContext,
  scope: FileScope,
  category: FileCategory,
  decisions: readonly Decision<FileCandidate>[],
  prepare: PrepareStillDue,
): Promise<Set<string>> {
  const deletes: Decision<FileCandidate>[] = [];
  for (const d of decisions) {
    if (d.action === 'skip') ctx.report.skipped({ category, target: d.candidate.target, reason: d.reason });
    else if (d.action === 'delete') deletes.push(d);
  }
  const removed = new Set<string>();
  if (ctx.dryRun) {
    for (const [i, d] of deletes.entries()) {
      ctx.report.item({ category, target: d.candidate.target, bytes: d.candidate.size, action: 'delete', reason: d.reason });
      removed.add(d.candidate.target);
      if (i % BATCH === BATCH - 1) await new Promise(setImmediate); // let the server breathe
    }
    return removed;
  }
  if (deletes.length === 0) return removed;
  await ctx.beforeExecute?.(category);
  await refreshOpenFiles(scope);
  const stillDue = await prepare();
  const parents = new Map<string, Promise<string | null>>();
  for (let start = 0; start < deletes.length && !ctx.signal.aborted; start += BATCH) {
    const batch = deletes.slice(start, start + BATCH);
    const outcomes = await mapLimit(batch, CONCURRENCY, (d) => deleteOne(d.candidate, scope, stillDue, parents));
    outcomes.forEach((o, i) => {
      const { candidate: c, reason } = batch[i] as Decision<FileCandidate>;
      if (o.kind === 'deleted') {
        removed.add(c.target);
        ctx.report.item({ category, target: c.target, bytes: c.size, action: 'delete', reason });
      } else if (o.kind === 'skipped') ctx.report.skipped({ category, target: c.target, reason: o.reason });
      else ctx.report.error({ category, target: c.target, message: o.message });
    });
    ctx.report.progress(category, 'executing', start + batch.length);
  }
  return removed;
}

/**
 * Why a planned file must now be kept, comparing it with a fresh lstat (null: it is gone),
 * or undefined when it is still the very file that was planned. Pure.
 */
export function recheckReason(planned: FileCandidate, fresh: Stats | null): string | undefined {
  if (!fresh) return 'already gone';
  if (fresh.isSymbolicLink()) return 'replaced by a symbolic link';
  if (fresh.isDirectory()) return 'replaced by a folder';
  if (!fresh.isFile()) return 'no longer a regular file';
  if (fresh.dev !== planned.dev || fresh.ino !== planned.ino) return 'changed since it was planned (inode)';
  if (fresh.size !== planned.size) return 'changed since it was planned (size)';
  if (fresh.mtimeMs !== planned.mtimeMs) return 'changed since it was planned (mtime)';
  return undefined;
}

async function deleteOne(
  c: FileCandidate,
  scope: FileScope,
  stillDue: StillDue,
  parents: Map<string, Promise<string | null>>,
): Promise<Outcome> {
  try {
    const fresh = await lstat(c.path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    const why =
      recheckReason(c, fresh) ??
      stillDue(refreshed(c, fresh as Stats)) ??
      openReason(scope.open, c.dev, c.ino) ??
      (await folderMoved(c.path, parents));
    if (why) return { kind: 'skipped', reason: why };
    await unlink(c.path);
    return { kind: 'deleted' };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { kind: 'skipped', reason: 'already gone' };
    return { kind: 'error', message: errorMessage(e) };
  }
}

/** "EPERM: operation not permitted, unlink '…'" as Node words it, with the code first. */
export function errorMessage(e: NodeJS.ErrnoException): string {
  return e.code && e.message.startsWith(e.code) ? e.message : `${e.code ?? 'error'}: ${e.message}`;
}

/** The candidate as it is now (only reached once recheckReason found it unchanged). */
function refreshed(c: FileCandidate, fresh: Stats): FileCandidate {
  const timestampMs = c.timestampSource === 'mtime' ? fresh.mtimeMs : c.timestampMs;
  return { ...c, size: fresh.size, mtimeMs: fresh.mtimeMs, timestampMs };
}

/**
 * A candidate's path was built from real paths when it was planned; if its folder no longer
 * resolves to the same place (a folder on the way was moved or swapped for a link), the
 * path may now lead outside the root, so the file is kept. `parents` caches realpaths for one
 * execute phase. Returns the reason to keep it, or undefined.
 */
export async function folderMoved(file: string, parents: Map<string, Promise<string | null>>): Promise<string | undefined> {
  const dir = path.dirname(file);
  let real = parents.get(dir);
  if (!real) parents.set(dir, (real = realpath(dir).catch(() => null)));
  return (await real) === dir ? undefined : 'its folder changed since it was planned';
}
