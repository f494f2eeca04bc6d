/**
 * The `files` strategy: every regular file under the category's folder(s) modified strictly
 * more than its age limit ago is deleted, streamed per walker chunk like logs. A new file
 * category with no rule of its own (say "screenshots older than 7 days") needs only its
 * descriptor in domain/categories.
 */
import type { CategoryDescriptor } from '../../domain/categories/index.js';
import { REASONS } from '../../domain/reasons.js';
import type { Decision, FileCandidate, FileCategory } from '../../domain/types.js';
import type { CategoryHandler, RunContext } from '../context.js';
import { walkBound, walkCategoryChunks } from '../fs/collect.js';
import { createFileExecutor } from '../fs/file-executor.js';
import { folderPaths, openCategoryFolder, openFileScope, toCandidate } from '../fs/scope.js';
import { ageRuleOf, cutoffFor, decideFile } from '../planner.js';

/** A handler deleting a descriptor's files by age. */
export function createFilesByAgeHandler(d: CategoryDescriptor): CategoryHandler {
  // A category added by descriptor has a name outside the built-in union: the types only know those.
  const category = d.name as FileCategory;
  const rule = ageRuleOf(d);
  const run = async (ctx: RunContext): Promise<void> => {
    const scope = await openFileScope(ctx);
    if (!scope) return;
    const stillDue = () => (fresh: FileCandidate) =>
      decideFile(fresh, ctx.policy, ctx.now, rule).action === 'keep' ? REASONS.noLongerOldEnough.text : undefined;
    const executor = createFileExecutor(ctx, scope, category, stillDue);
    const filter = { filesOlderThan: walkBound(cutoffFor(category, ctx.policy, ctx.now, rule)) };
    for (const rel of folderPaths(ctx.settings.paths, d)) {
      if (ctx.signal.aborted) return;
      const folder = await openCategoryFolder(ctx, scope, category, rel);
      if (!folder) continue;
      await walkCategoryChunks(ctx, category, folder, filter, async (records) => {
        const decisions: Decision<FileCandidate>[] = [];
        for (const r of records) {
          if (r.kind !== 'file') continue;
          const decision = decideFile(toCandidate(scope, folder, category, r), ctx.policy, ctx.now, rule);
          if (decision.action !== 'keep') decisions.push(decision);
        }
        await executor.run(decisions);
      }, 'the rest is kept');
    }
  };
  return { category, run };
}
