/**
 * Temp (SPEC 1): every regular file under each temp folder (tmp/, cache/) modified strictly
 * more than policy.tempAgeHours ago is deleted; then the folders that cleanup left empty are
 * removed with rmdir (listed as `rmdir` items, bytes 0; never the top folder). A dry run
 * lists the same folders, predicted from the files it would delete.
 */
import type { CategoryHandler, RunContext } from '../context.js';
import { walkCategoryFolder } from '../fs/collect.js';
import { carryOutPlan, stillOldEnough } from '../fs/file-executor.js';
import { emptiedFolders, type FolderRecord, pruneFolders } from '../fs/prune-folders.js';
import { type CategoryFolder, type FileScope, openCategoryFolder, openFileScope, toCandidate } from '../fs/scope.js';
import { decideFile } from '../planner.js';
import type { Decision, FileCandidate } from '../types.js';

async function runTemp(ctx: RunContext): Promise<void> {
  const scope = await openFileScope(ctx);
  if (!scope) return;
  for (const rel of ctx.settings.paths.temp) {
    if (ctx.signal.aborted) return;
    const folder = await openCategoryFolder(ctx, scope, 'temp', rel);
    if (folder) await cleanTempFolder(ctx, scope, folder);
  }
}

/** Plans and carries out one temp folder: its old files, then the folders they leave empty. */
async function cleanTempFolder(ctx: RunContext, scope: FileScope, folder: CategoryFolder): Promise<void> {
  const decisions: Decision<FileCandidate>[] = [];
  const folders: FolderRecord[] = [];
  const ok = await walkCategoryFolder(ctx, 'temp', folder, {}, (r) => {
    if (r.kind === 'dir') {
      folders.push({ target: `${folder.rel}/${r.rel}`, path: `${folder.real}/${r.rel}`, dev: r.dev, ino: r.ino, entries: r.entries });
      return;
    }
    const d = decideFile(toCandidate(scope, folder, 'temp', r), ctx.policy, ctx.now);
    if (d.action !== 'keep') decisions.push(d);
  });
  if (!ok) return;
  const removed = await carryOutPlan(ctx, scope, 'temp', decisions, () => stillOldEnough(ctx));
  if (ctx.signal.aborted) return;
  await pruneFolders(ctx, emptiedFolders(folders, removed, scope.protection));
}

/** The `temp` category. */
export const tempHandler: CategoryHandler = { category: 'temp', run: runTemp };
