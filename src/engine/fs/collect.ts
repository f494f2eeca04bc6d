/** The walking loop every file category shares: progress, unreadable entries, abort. */
import type { RunContext } from '../context.js';
import type { FileCategory } from '../types.js';
import { type CategoryFolder, warnOnce } from './scope.js';
import { type WalkDir, type WalkFile, walkTree } from './walker.js';

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
  opts: { maxDepth?: number },
  visit: (record: WalkFile | WalkDir) => void,
): Promise<boolean> {
  let problems = 0;
  let first = '';
  let seen = 0;
  try {
    for await (const chunk of walkTree(folder.real, { maxDepth: opts.maxDepth, neverEnter: folder.neverEnter, signal: ctx.signal })) {
      for (const r of chunk) {
        if (r.kind === 'problem') {
          if (problems++ === 0) first = `${r.rel === '' ? folder.rel : `${folder.rel}/${r.rel}`}: ${r.code}`;
        } else {
          visit(r);
        }
      }
      ctx.report.progress(category, 'planning', (seen += chunk.length));
    }
  } catch (err) {
    warnOnce(ctx, `${category}: walking ${folder.rel} failed (${(err as Error).message}); nothing deleted there`);
    return false;
  }
  if (problems > 0) {
    warnOnce(ctx, `${category}: ${problems} entr${problems === 1 ? 'y' : 'ies'} under ${folder.rel} could not be read (first: ${first}); they are kept`);
  }
  return !ctx.signal.aborted;
}
