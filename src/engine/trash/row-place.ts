/**
 * Where the trash sink of a database category copies its rows: `<state>/trash/trash.db`, through
 * the same archiver as prompts (engine/db/archive.ts: copy, commit, then delete only the rows
 * with an identical copy; a crash in between leaves a row in both, and the next run finds the copy
 * and completes the move). The table is journaled before its first copy.
 */
import type { CopyPlace } from '../db/archive.js';
import type { RunContext } from '../context.js';
import { trashDbRel, trashRel } from './layout.js';

/** The trash's copy place for the rows of `table` (category `category`) in this run. */
export function trashPlace(ctx: RunContext, category: string, table: string): CopyPlace {
  const trash = ctx.trash;
  if (!trash) throw new TypeError('the trash sink needs ctx.trash');
  return {
    rel: trashDbRel(ctx.settings),
    folder: trashRel(ctx.settings),
    beforeFirstCopy: () => trash.recordTable(category, table),
    afterCopy: ctx.trashHooks?.afterRowCopy,
  };
}
