/** The walking loop every file category shares: progress, unreadable entries, abort. */
import type { RunContext } from '../context.js';
import type { FileCategory } from '../../domain/types.js';
import { displayPath } from './byte-names.js';
import { type CategoryFolder, warnOnce } from './scope.js';
import { type WalkDir, type WalkFile, type WalkOptions, walkTree } from './walker.js';

/** What a category asks of the walk: depth, and the walker's pre-filters (see WalkOptions). */
export type CategoryWalkOptions = Pick<WalkOptions, 'maxDepth' | 'filesOlderThan' | 'fileName' | 'dirs'>;

/**
 * The walker's pre-filter bound for an age cutoff: files modified at or after it are not even
 * posted. One ms looser than the planner's rule (timestamp < cutoff), so the walker never drops
 * a file the planner would remove; the planner still decides on every file it gets.
 */
export function walkBound(cutoff: number): number {
  return cutoff + 1;
}

/**
 * Walks a checked category folder and hands every file and folder record to `visit`.
 * Unreadable entries become one warning for the folder (with a count and the first one).
 * Returns false when ctx.signal aborted the walk (the caller then plans nothing), or when
 * the walker itself failed (reported as a warning).
 */
export async function walkCategoryFolder(
  ctx: RunContext,
  category: FileCategory,
  folder: CategoryFolder,
  opts: CategoryWalkOptions,
  visit: (record: WalkFile | WalkDir) => void,
): Promise<boolean> {
  return walkCategoryChunks(ctx, category, folder, opts, (records) => {
    for (const r of records) visit(r);
  });
}

/**
 * As walkCategoryFolder, but hands the records over a chunk at a time and awaits `onChunk`
 * before taking the next one: the walker runs at most a few chunks ahead, so memory stays
 * bounded however large the folder is. On a walker failure the chunks already handed over
 * stay handled (a streaming caller may have acted on them).
 */
export async function walkCategoryChunks(
  ctx: RunContext,
  category: FileCategory,
  folder: CategoryFolder,
  opts: CategoryWalkOptions,
  onChunk: (records: Array<WalkFile | WalkDir>) => void | Promise<void>,
  failedNote = 'nothing deleted there',
): Promise<boolean> {
  let problems = 0;
  let first = '';
  let seen = 0;
  let handing = false;
  try {
    for await (const chunk of walkTree(folder.real, { ...opts, neverEnter: folder.neverEnter, signal: ctx.signal })) {
      const records: Array<WalkFile | WalkDir> = [];
      for (const r of chunk) {
        if (r.kind === 'problem') {
          if (problems++ === 0) first = `${r.rel === '' ? folder.rel : `${folder.rel}/${displayPath(r.rel)}`}: ${r.code}`;
        } else {
          records.push(r);
        }
      }
      handing = true;
      if (records.length > 0) await onChunk(records);
      handing = false;
      ctx.report.progress(category, 'planning', (seen += chunk.length));
      if (ctx.signal.aborted) break;
    }
  } catch (err) {
    if (handing) throw err; // the caller's own failure, not the walker's
    warnOnce(ctx, `${category}: walking ${folder.rel} failed (${(err as Error).message}); ${failedNote}`);
    return false;
  }
  if (problems > 0) {
    warnOnce(ctx, `${category}: ${problems} entr${problems === 1 ? 'y' : 'ies'} under ${folder.rel} could not be read (first: ${first}); they are kept`);
  }
  return !ctx.signal.aborted;
}
