/**
 * Archives one backup: prepare (hash, compress into the spool), make sure the target holds an
 * identical copy (an identical object already there is not uploaded again), and only then remove
 * the local file, after the same re-checks as a deletion (SPEC 3.6). A crash anywhere leaves the
 * local file; the next run recomputes the same digest (gzip output is deterministic), finds the
 * object and finishes the move.
 */
import { lstat, unlink } from 'node:fs/promises';
import type { FileCandidate } from '../../domain/types.js';
import { type ArchiveTarget, type ObjectMeta, TargetError } from '../../targets/index.js';
import type { RunContext } from '../context.js';
import { errorMessage, recheckReason, type StillDue } from '../fs/file-executor.js';
import { type CheckedFolders, folderMoved, folderSwapped } from '../fs/folder-identity.js';
import { openReason } from '../fs/open-files.js';
import { type FileScope, refreshOpenFiles } from '../fs/scope.js';
import { archiveHooks } from './hooks.js';
import { type ArchivePlace, placeOf } from './naming.js';
import { openSource, type PreparedSource, prepareSource } from './prepare-source.js';

/** What one archive run shares between its items. */
export interface ArchiveRun {
  readonly ctx: RunContext;
  readonly scope: FileScope;
  readonly target: ArchiveTarget;
  readonly compress: boolean;
  /** Absolute folder for compressed spool files (under the state folder). */
  readonly spoolDir: string;
  readonly stillDue: StillDue;
  readonly parents: CheckedFolders;
  /** Set by the first failure of the target itself: later items are not tried this run. */
  broken: string | null;
}

/** What happened to one backup (the sinks' shared vocabulary: archived, skipped or failed). */
export type ArchiveOutcome =
  | { kind: 'archived'; key: string; uploaded: boolean; how: 'checksum' | 'read-back' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; message: string };

type Stored = { kind: 'stored'; uploaded: boolean; how: 'checksum' | 'read-back' } | Exclude<ArchiveOutcome, { kind: 'archived' }>;

/**
 * Archives `c` (planned for removal) and removes the local file once the target proves it holds
 * an identical copy. Never throws for operational problems: a target that is down, slow, full or
 * refuses credentials is an error of this item (and marks the run's target broken), and the
 * local backup stays.
 */
export async function archiveBackup(c: FileCandidate, run: ArchiveRun): Promise<ArchiveOutcome> {
  return finishArchive(await prepareArchive(c, run), run);
}

/** A backup after its first phase: read, hashed and compressed into the spool, or already decided. */
export type PreparedArchive =
  | { kind: 'prepared'; c: FileCandidate; place: ArchivePlace & { key: string }; src: PreparedSource }
  | { kind: 'decided'; outcome: ArchiveOutcome };

/**
 * The first phase: the re-checks before reading, then hash and compress into the spool (the CPU
 * work, which archiveBackups runs for the next backup while this one is stored). Never throws
 * for operational problems.
 */
export async function prepareArchive(c: FileCandidate, run: ArchiveRun): Promise<PreparedArchive> {
  const decided = (outcome: ArchiveOutcome): PreparedArchive => ({ kind: 'decided', outcome });
  const place = placeOf(c, run.compress);
  if ('reason' in place) return decided({ kind: 'skipped', reason: place.reason });
  const before = await stillTheSame(c, run);
  if (before) return decided({ kind: 'skipped', reason: before });
  if (run.broken) return decided({ kind: 'error', message: `not archived: ${run.broken}; the backup stays` });
  try {
    const prepared = await prepareSource(c, run.spoolDir, place.compression);
    if ('reason' in prepared) return decided({ kind: 'skipped', reason: prepared.reason });
    return { kind: 'prepared', c, place, src: prepared };
  } catch (err) {
    return decided(failed(err, run, place, true));
  }
}

/**
 * The second phase, one backup at a time in plan order: store and verify the prepared bytes,
 * then remove the local file after every re-check passes again. A target that broke since this
 * backup was prepared is not tried. The spool file is always removed.
 */
export async function finishArchive(p: PreparedArchive, run: ArchiveRun): Promise<ArchiveOutcome> {
  if (p.kind === 'decided') return p.outcome;
  const { c, place, src } = p;
  try {
    if (run.broken) return { kind: 'error', message: `not archived: ${run.broken}; the backup stays` };
    const stored = await ensureStored(run, place, src, metaOf(place, src, run.ctx.runId));
    if (stored.kind !== 'stored') return stored;
    await archiveHooks.afterVerify?.(place.key);
    return await removeLocal(c, run, place.key, stored);
  } catch (err) {
    return failed(err, run, place, false);
  } finally {
    if (src.spool) await unlink(src.path).catch(() => {});
  }
}

/** Makes sure the target holds the prepared bytes under the key: found identical, or uploaded and verified. */
async function ensureStored(run: ArchiveRun, place: ArchivePlace, src: PreparedSource, meta: ObjectMeta): Promise<Stored> {
  const { target } = run;
  const where = target.locationOf(place.key);
  const existing = await target.head(place.key);
  if (existing) {
    if (existing.meta?.sha256 === src.digest) {
      const check = await target.verify(place.key, src.digest);
      if (check.ok) return { kind: 'stored', uploaded: false, how: check.how };
    }
    const whose = existing.meta ? 'a different backup' : 'an object not written by cleanup-worker';
    return { kind: 'error', message: `not archived: ${where} already holds ${whose}; it is not replaced and the backup stays (rename one of them)` };
  }
  await archiveHooks.beforeUpload?.(place.key);
  const sent = await target.put(place.key, openSource(src), meta);
  if (sent.digest !== src.digest || sent.size !== src.size) {
    await target.delete(place.key).catch(() => {});
    return { kind: 'skipped', reason: 'changed while it was being uploaded; the partial copy was removed and the backup stays' };
  }
  const check = await target.verify(place.key, src.digest);
  if (!check.ok) {
    await target.delete(place.key).catch(() => {});
    const actual = check.actual ? ` ${check.actual.slice(0, 12)}…` : '';
    return { kind: 'error', message: `not archived: ${where} does not hold an identical copy after the upload (SHA-256${actual} by ${check.how}, expected ${src.digest.slice(0, 12)}…); the copy was removed and the backup stays` };
  }
  return { kind: 'stored', uploaded: true, how: check.how };
}

/** Removes the local backup after every re-check passes again (the upload may have taken long). */
async function removeLocal(c: FileCandidate, run: ArchiveRun, key: string, stored: { uploaded: boolean; how: 'checksum' | 'read-back' }): Promise<ArchiveOutcome> {
  await refreshOpenFiles(run.scope);
  const why = (await stillTheSame(c, run)) ?? (await folderSwapped(c.path, run.parents))?.text;
  if (why) return { kind: 'skipped', reason: `${why}; its archived copy ${run.target.locationOf(key)} stays` };
  try {
    await unlink(c.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'skipped', reason: 'already gone' };
    throw err;
  }
  return { kind: 'archived', key, uploaded: stored.uploaded, how: stored.how };
}

/** The reason to keep `c` now (changed, no longer due, open, its folder moved), or undefined. */
async function stillTheSame(c: FileCandidate, run: ArchiveRun): Promise<string | undefined> {
  const fresh = await lstat(c.path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  return recheckReason(c, fresh)?.text ?? run.stillDue(c) ?? openReason(run.scope.open, c.dev, c.ino) ?? (await folderMoved(c.path, run.parents))?.text;
}

function metaOf(place: ArchivePlace, src: PreparedSource, runId: string): ObjectMeta {
  return {
    originalName: place.name,
    originalSize: src.identity.size,
    originalMtimeMs: src.identity.mtimeMs,
    originalSha256: src.originalSha256,
    sha256: src.digest,
    compression: place.compression,
    env: place.env,
    runId,
  };
}

function failed(err: unknown, run: ArchiveRun, place: ArchivePlace, preparing: boolean): ArchiveOutcome {
  if (err instanceof TargetError) {
    if (err.kind === 'unavailable') run.broken = err.message;
    return { kind: 'error', message: `not archived: ${err.message}; the backup stays` };
  }
  const e = err as NodeJS.ErrnoException;
  const step = preparing ? (place.compression === 'gzip' ? 'compressing' : 'reading') : 'archiving';
  return { kind: 'error', message: `not archived: ${step} failed (${errorMessage(e)}); the backup stays` };
}
