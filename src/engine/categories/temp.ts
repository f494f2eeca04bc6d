/**
 * Temp (SPEC 1): every regular file under each temp folder (tmp/, cache/) modified strictly
 * more than the temp age limit (temp_age_hours) ago is deleted; then the folders that cleanup left empty are
 * removed with rmdir (listed as `rmdir` items, bytes 0; never the top folder). A dry run
 * lists the same folders, predicted from the files it would delete.
 */
import type { CategoryHandler, RunContext } from '../context.js';
import { displayPath } from '../fs/byte-names.js';
import { walkBound, walkCategoryChunks } from '../fs/collect.js';
import { createFileExecutor, type FileExecutor, stillOldEnough } from '../fs/file-executor.js';
import { emptiedFolders, type FolderRecord, pruneFolders } from '../fs/prune-folders.js';
import { type CategoryFolder, type FileScope, openCategoryFolder, openFileScope, toCandidate } from '../fs/scope.js';
import { cutoffFor, decideFile } from '../planner.js';
import type { Decision, FileCandidate } from '../../domain/types.js';

async function runTemp(ctx: RunContext): Promise<void> {
  const scope = await openFileScope(ctx);
  if (!scope) return;
  // One executor for every temp folder: ctx.beforeExecute and the open-file rescan happen once,
  // right before the category's first deletion.
  const executor = createFileExecutor(ctx, scope, 'temp', () => stillOldEnough(ctx));
  for (const rel of ctx.settings.paths.temp) {
    if (ctx.signal.aborted) return;
    const folder = await openCategoryFolder(ctx, scope, 'temp', rel);
    if (folder) await cleanTempFolder(ctx, scope, folder, executor);
  }
}

/**
 * Plans and carries out one temp folder, streaming: each walker chunk holds the folder records
 * and only the files old enough to go (the walker's pre-filter); its decisions are carried out
 * before the next chunk is taken. What pruning needs stays: the folder records and, per folder,
 * how many of its files were removed. Once every file is done, the folders they left empty go.
 */
async function cleanTempFolder(ctx: RunContext, scope: FileScope, folder: CategoryFolder, executor: FileExecutor): Promise<void> {
  const folders: FolderRecord[] = [];
  // Keyed by path, not target: two folders can show alike (see emptiedFolders).
  const removedIn = new Map<string, number>();
  const countRemoved = (c: FileCandidate) => {
    const parent = c.path.slice(0, c.path.lastIndexOf('/'));
    removedIn.set(parent, (removedIn.get(parent) ?? 0) + 1);
  };
  const filter = { filesOlderThan: walkBound(cutoffFor('temp', ctx.policy, ctx.now)) };
  const ok = await walkCategoryChunks(
    ctx,
    'temp',
    folder,
    filter,
    async (records) => {
      const decisions: Decision<FileCandidate>[] = [];
      for (const r of records) {
        if (r.kind === 'dir') {
          const shown = r.raw ? displayPath(r.rel) : r.rel;
          folders.push({ target: `${folder.rel}/${shown}`, path: `${folder.real}/${r.rel}`, dev: r.dev, ino: r.ino, entries: r.entries });
          continue;
        }
        const d = decideFile(toCandidate(scope, folder, 'temp', r), ctx.policy, ctx.now);
        if (d.action !== 'keep') decisions.push(d);
      }
      await executor.run(decisions, countRemoved);
    },
    'the rest is kept, and no folder is removed there',
  );
  if (!ok || ctx.signal.aborted) return;
  await pruneFolders(ctx, emptiedFolders(folders, removedIn, scope.protection));
}

/** The `temp` category. */
export const tempHandler: CategoryHandler = { category: 'temp', run: runTemp };
