/**
 * Carries out a file category's plan: reports protected items as skipped, and hands the
 * deletions to the run's sink (engine/sinks.ts): listed in a dry run, deleted with a re-check at
 * the moment of deletion (SPEC 3.6) in a real run.
 * Deletions run with bounded concurrency in batches, checking ctx.signal between batches.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { REASONS, type Reason } from '../../domain/reasons.js';
import type { RunContext } from '../context.js';
import { decideFile } from '../planner.js';
import { removalFor, type SinkKind, sinkFor } from '../sinks.js';
import { createTrashMover } from '../trash/move-file.js';
import type { Decision, FileCandidate, FileCategory } from '../types.js';
import { displayPath, isPlainName, toFsPath } from './byte-names.js';
import { type CheckedFolders, folderMoved, folderSwapped } from './folder-identity.js';
import { mapLimit } from './limit.js';
import { openReason } from './open-files.js';
import { type RemoveFile, unlinkFile } from './remove-file.js';
import { type FileScope, refreshOpenFiles } from './scope.js';

/** Unlinks in flight at once. */
const CONCURRENCY = 32;
/** Deletions between two looks at ctx.signal (and two progress reports). */
const BATCH = 512;
/**
 * Dry run: items reported between two turns of the event loop. Each item is a log line; the
 * async log destination writes at most 16 KiB per turn, so reporting in small slices lets it
 * keep up instead of buffering the whole run in memory (and keeps the server responsive).
 */
const DRY_SLICE = 32;

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
    decideFile(fresh, ctx.policy, ctx.now).action === 'keep' ? REASONS.noLongerOldEnough.text : undefined;
}

type Outcome = { kind: 'deleted'; action: 'delete' | 'trash'; note?: string } | { kind: 'skipped'; reason: string } | { kind: 'error'; message: string };

/** Options of an executor; only tests set them. */
export interface ExecutorOptions {
  /**
   * Test hook: called with each file's path once every re-check has passed, right before the
   * last check of its folder's identity and the unlink (tests swap a folder here).
   */
  beforeUnlink?: (path: string) => void | Promise<void>;
}

/** Carries out decisions as they come (see createFileExecutor). */
export interface FileExecutor {
  /**
   * Reports the `skip` decisions, and lists (dry run) or deletes (real run) the `delete` ones,
   * calling `onRemoved` with each candidate removed (dry run: that would be removed). Resolves
   * once this batch is done; call it again with the next. Stops deleting once ctx.signal aborts.
   */
  run(decisions: readonly Decision<FileCandidate>[], onRemoved?: (removed: FileCandidate) => void): Promise<void>;
}

/** A sink for files (engine/sinks.ts): takes one chunk's `delete` decisions. */
type FileSink = (deletes: readonly Decision<FileCandidate>[], onRemoved: (removed: FileCandidate) => void) => Promise<void>;

interface FileSinkDeps {
  ctx: RunContext;
  scope: FileScope;
  category: FileCategory;
  prepare: PrepareStillDue;
  options: ExecutorOptions;
}

/**
 * The file sinks by kind; a kind without a row here is a programmer error (backups' archive has
 * its own executor, backup-archive/). Delete and trash differ only in their last step.
 */
const FILE_SINKS: { readonly [K in SinkKind]?: (deps: FileSinkDeps) => FileSink } = {
  list: listFiles,
  delete: (deps) => removeFiles(deps, unlinkFile),
  trash: (deps) => removeFiles(deps, trashMoverOf(deps)),
};

function trashMoverOf({ ctx, scope }: FileSinkDeps): RemoveFile {
  if (!ctx.trash) throw new TypeError('the trash sink needs ctx.trash');
  return createTrashMover(ctx.trash, scope.rootReal, ctx.trashHooks);
}

/**
 * A streaming executor for one category (all its folders): reports the `skip` decisions of each
 * chunk and hands the `delete` ones to the run's sink, chosen once here: listed in a dry run,
 * deleted (see deleteFiles) in a real run. A run carrying out a checked plan (ctx.gate) hands over
 * only what its gate admits. Never throws for operational problems.
 */
export function createFileExecutor(
  ctx: RunContext,
  scope: FileScope,
  category: FileCategory,
  prepare: PrepareStillDue,
  options: ExecutorOptions = {},
): FileExecutor {
  const kind = sinkFor(ctx, 'delete');
  const make = FILE_SINKS[kind];
  if (!make) throw new TypeError(`${category}: files have no ${kind} sink`);
  const take = make({ ctx, scope, category, prepare, options });
  return {
    async run(decisions, onRemoved = () => {}) {
      const deletes: Decision<FileCandidate>[] = [];
      const held = ctx.trash?.holds;
      for (const d of decisions) {
        const c = d.candidate;
        // A file a restore put back is kept while its hold lasts (engine/trash/journal.ts).
        const hold = d.action === 'delete' && held?.size ? held.get(c.target) : undefined;
        if (d.action === 'skip' || hold) {
          if (hold || !ctx.gate || ctx.gate.covers(category, c.target)) ctx.report.skipped({ category, target: c.target, reason: hold ?? d.reason });
        } else if (d.action === 'delete') {
          // The action as this run carries it out (trash in place of delete while the trash is on), as the plan listed it.
          const gate = ctx.gate?.admit({ category, target: c.target, bytes: c.size, action: removalFor(ctx, 'delete'), mtimeMs: c.mtimeMs }) ?? 'go';
          if (gate === 'go') deletes.push(d);
          else if (gate !== 'outside') ctx.report.skipped({ category, target: c.target, reason: gate.skip });
        }
      }
      await take(deletes, onRemoved);
    },
  };
}

/** The dry run's sink: every planned deletion is an item (action as a real run would: delete or trash); nothing is touched. */
function listFiles({ ctx, category }: FileSinkDeps): FileSink {
  const action = removalFor(ctx, 'delete') === 'trash' ? 'trash' : 'delete';
  return async (deletes, onRemoved) => {
    for (let i = 0; i < deletes.length; i++) {
      const d = deletes[i] as Decision<FileCandidate>;
      ctx.report.item({ category, target: d.candidate.target, bytes: d.candidate.size, action, reason: d.reason });
      onRemoved(d.candidate);
      if (i % DRY_SLICE === DRY_SLICE - 1) await yieldToLoop(); // let the server (and the log) breathe
    }
  };
}

/**
 * The real run's sink (delete or trash: `remove` is the last step). The first chunk that holds a
 * deletion awaits ctx.beforeExecute, rescans open files and calls `prepare`, once; then every
 * deletion is re-checked at the moment it happens (same inode, size and mtime, still due, not
 * open, same folder: its real path, then its identity again right before the unlink or rename),
 * and reported as an item only once the file is gone.
 */
function removeFiles({ ctx, scope, category, prepare, options }: FileSinkDeps, remove: RemoveFile): FileSink {
  let stillDue: StillDue | null = null;
  let executed = 0;
  const parents: CheckedFolders = new Map();
  return async (deletes, onRemoved) => {
    if (deletes.length === 0 || ctx.signal.aborted) return;
    if (!stillDue) {
      await ctx.beforeExecute?.(category);
      await refreshOpenFiles(scope);
      stillDue = await prepare();
    }
    const due = stillDue;
    // Folder checks are cached per call only: fresh for each chunk, and memory stays bounded.
    parents.clear();
    for (let start = 0; start < deletes.length && !ctx.signal.aborted; start += BATCH) {
      const batch = deletes.slice(start, start + BATCH);
      const outcomes = await mapLimit(batch, CONCURRENCY, (d) => deleteOne(d.candidate, scope, due, parents, options, remove));
      outcomes.forEach((o, i) => {
        const { candidate: c, reason } = batch[i] as Decision<FileCandidate>;
        if (o.kind === 'deleted') {
          onRemoved(c);
          ctx.report.item({ category, target: c.target, bytes: c.size, action: o.action, reason: o.note ? `${reason}; ${o.note}` : reason });
        } else if (o.kind === 'skipped') ctx.report.skipped({ category, target: c.target, reason: o.reason });
        else ctx.report.error({ category, target: c.target, message: o.message });
      });
      ctx.report.progress(category, 'executing', (executed += batch.length));
    }
  };
}

/**
 * Carries out a whole plan at once (backups, which rank every file of an environment before
 * deciding): see createFileExecutor. Returns the targets removed (in a dry run: that would be
 * removed).
 */
export async function carryOutPlan(
  ctx: RunContext,
  scope: FileScope,
  category: FileCategory,
  decisions: readonly Decision<FileCandidate>[],
  prepare: PrepareStillDue,
): Promise<Set<string>> {
  const removed = new Set<string>();
  await createFileExecutor(ctx, scope, category, prepare).run(decisions, (c) => removed.add(c.target));
  return removed;
}

/**
 * Why a planned file must now be kept, comparing it with a fresh lstat (null: it is gone),
 * or undefined when it is still the very file that was planned. Pure.
 */
export function recheckReason(planned: FileCandidate, fresh: Stats | null): Reason | undefined {
  if (!fresh) return REASONS.alreadyGone;
  if (fresh.isSymbolicLink()) return REASONS.replacedByLink;
  if (fresh.isDirectory()) return REASONS.replacedByFolder;
  if (!fresh.isFile()) return REASONS.notARegularFile;
  if (fresh.dev !== planned.dev || fresh.ino !== planned.ino) return REASONS.changedInode;
  if (fresh.size !== planned.size) return REASONS.changedSize;
  if (fresh.mtimeMs !== planned.mtimeMs) return REASONS.changedMtime;
  return undefined;
}

/**
 * Removes one planned file (`remove`: unlink, or rename into the trash) if every re-check passes.
 * The order matters: the file's own facts, the policy, open files and its folder's real path
 * first; then, as the very last step before the unlink or rename, its folder's identity (dev,
 * inode) once more, which narrows the moment in which a folder on the way swapped for a link
 * could redirect it to one system call.
 */
async function deleteOne(
  c: FileCandidate,
  scope: FileScope,
  stillDue: StillDue,
  parents: CheckedFolders,
  options: ExecutorOptions,
  remove: RemoveFile,
): Promise<Outcome> {
  const file = toFsPath(c.path);
  try {
    const fresh = await lstat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    const why =
      recheckReason(c, fresh)?.text ??
      stillDue(refreshed(c, fresh as Stats)) ??
      openReason(scope.open, c.dev, c.ino) ??
      (await folderMoved(c.path, parents))?.text;
    if (why) return { kind: 'skipped', reason: why };
    if (options.beforeUnlink) await options.beforeUnlink(c.path);
    const swapped = await folderSwapped(c.path, parents);
    if (swapped) return { kind: 'skipped', reason: swapped.text };
    const done = await remove(c, async () => (await folderSwapped(c.path, parents))?.text);
    return done.kind === 'removed' ? { kind: 'deleted', action: done.action, note: done.note } : done;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') return { kind: 'skipped', reason: REASONS.alreadyGone.text };
    return { kind: 'error', message: errorMessage(e, c.path) };
  }
}

/**
 * "EPERM: operation not permitted, unlink '…'" as Node words it, with the code first. Node
 * shows a path's bytes that are not UTF-8 as U+FFFD: given the engine path `p` of the call,
 * the message names it escaped instead (`\xff`, see byte-names.js).
 */
export function errorMessage(e: NodeJS.ErrnoException, p?: string): string {
  let message = e.message;
  if (p !== undefined && !isPlainName(p) && e.syscall) {
    const at = message.lastIndexOf(`, ${e.syscall} '`);
    if (at >= 0) message = `${message.slice(0, at)}, ${e.syscall} '${displayPath(p)}'`;
  }
  return e.code && message.startsWith(e.code) ? message : `${e.code ?? 'error'}: ${message}`;
}

/** The candidate as it is now (only reached once recheckReason found it unchanged). */
function refreshed(c: FileCandidate, fresh: Stats): FileCandidate {
  const timestampMs = c.timestampSource === 'mtime' ? fresh.mtimeMs : c.timestampMs;
  return { ...c, size: fresh.size, mtimeMs: fresh.mtimeMs, timestampMs };
}

