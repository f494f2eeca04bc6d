/**
 * Purging the trash (README, Trash and restore): a run's trash older than `keep_hours` is removed for good by
 * the next run, and, when the root's file system has less than `min_free_percent` free, the whole
 * trash is purged first, oldest run first, until it has enough. Each purged file and row is an
 * item of the purging run (action `purge`, its bytes freed now), with the reason. A dry run lists
 * the same items and removes nothing.
 */
import { lstat, unlink } from 'node:fs/promises';
import { resolveUnderRoot } from '../../safety/safe-path.js';
import type { FileCategory, RowCategory } from '../../domain/types.js';
import type { RunContext } from '../context.js';
import { databaseName, quoteIdent, rowidsJson } from '../db/open.js';
import { RUN_ID, SOURCE_ROWID } from '../db/archive-table.js';
import { displayPath, toFsPath } from '../fs/byte-names.js';
import { errorMessage } from '../fs/file-executor.js';
import type { Journal, TrashedRun } from './journal.js';
import { runTrashRel, trashRel } from './layout.js';
import { categoryFinder, pruneEmpty, walkTrash } from './trash-tree.js';
import { trashVersions } from './trash-tables.js';
import { rootRealOf } from './trash-run.js';

const HOUR_MS = 3_600_000;
const ROW_BATCH = 1000;

/** The runs whose trash is older than `keepHours` at `now` (strictly), oldest first. */
export function expiredRuns(journal: Journal, now: number, keepHours: number): TrashedRun[] {
  return journal.runs().filter((r) => now - r.trashedAt > keepHours * HOUR_MS);
}

/** Why a run's trash is purged because of its age: `in the trash since … (75 hours), keep_hours 72`. */
export function ageReason(run: TrashedRun, now: number, keepHours: number): string {
  const hours = Math.floor((now - run.trashedAt) / HOUR_MS);
  return `in the trash of run ${run.runId} since ${new Date(run.trashedAt).toISOString()} (${hours} hours), keep_hours ${keepHours}`;
}

/**
 * Purges (dry run: lists) everything run `run` left in the trash: its files, then its rows, then
 * its journal entry. Returns the bytes of its files. Operational failures are errors of the run
 * (the rest of the trash stays for the next run); a link where a folder of the trash should be is
 * never followed.
 */
export async function purgeRun(ctx: RunContext, journal: Journal, run: TrashedRun, reason: string): Promise<number> {
  const bytes = await purgeFiles(ctx, run.runId, reason);
  if (bytes === null) return 0;
  const rowsOk = purgeRows(ctx, journal, run.runId, reason);
  if (!ctx.dryRun && rowsOk) journal.forgetRun(run.runId);
  return bytes;
}

/** The files of a run's trash; null when they could not all be purged (the run stays journaled). */
async function purgeFiles(ctx: RunContext, runId: string, reason: string): Promise<number | null> {
  const rel = runTrashRel(ctx.settings, runId);
  const rootReal = rootRealOf(ctx.settings.root);
  const categoryOf = categoryFinder(ctx, rootReal);
  let dir: string;
  try {
    const resolved = resolveUnderRoot(ctx.settings.root, rel, 'trash folder');
    if (!resolved.stat) return 0;
    if (!resolved.stat.isDirectory()) throw new Error(`${rel} is not a folder`);
    dir = resolved.abs;
  } catch (err) {
    ctx.report.warning(`trash of run ${runId} not purged: ${(err as Error).message}`);
    return null;
  }
  let bytes = 0;
  let others = 0;
  let failed = false;
  for await (const e of walkTrash(dir)) {
    const category = categoryOf(e.rel);
    const target = `${trashRel(ctx.settings)}/${runId}/${displayPath(e.rel)}`;
    try {
      const size = e.regular ? (await lstat(toFsPath(e.abs))).size : 0;
      if (!ctx.dryRun) await unlink(toFsPath(e.abs));
      if (e.regular && category) {
        bytes += size;
        ctx.report.item({ category, target, bytes: size, action: 'purge', reason });
      } else others++;
    } catch (err) {
      failed = true;
      ctx.report.error({ category: category ?? firstFileCategory(ctx), target, message: `not purged: ${errorMessage(err as NodeJS.ErrnoException, e.abs)}` });
    }
  }
  if (others > 0) {
    const what = `${others} ${others === 1 ? 'entry' : 'entries'} outside today's category folders, or not regular files`;
    ctx.report.warning(`trash of run ${runId}: ${what}, ${ctx.dryRun ? 'would be purged' : 'purged'}`);
  }
  if (!ctx.dryRun) await pruneEmpty(dir);
  return failed ? null : bytes;
}

/** The rows of a run's trash, table by table, in batches. False when a table failed (the run stays journaled). */
function purgeRows(ctx: RunContext, journal: Journal, runId: string, reason: string): boolean {
  const db = journal.db;
  const dbName = databaseName(ctx.settings);
  let ok = true;
  for (const { category, table } of journal.tables(runId)) {
    try {
      for (const v of trashVersions(db, table)) {
        const from = `${quoteIdent(v.name)} WHERE ${quoteIdent(RUN_ID)} = ?`;
        // Keyset pages by the copy's rowid: a real run deletes each page, a dry run reads past it.
        const list = db.prepare(`SELECT rowid AS tid, ${quoteIdent(SOURCE_ROWID)} AS sid FROM ${from} AND rowid > ? ORDER BY rowid LIMIT ?`).safeIntegers(true);
        const drop = db.prepare(`DELETE FROM ${quoteIdent(v.name)} WHERE rowid IN (SELECT value FROM json_each(?))`);
        for (let last = -1n; ; ) {
          const rows = list.all(runId, last, ROW_BATCH) as Array<{ tid: bigint; sid: bigint }>;
          if (rows.length === 0) break;
          last = (rows.at(-1) as { tid: bigint }).tid;
          if (!ctx.dryRun) db.transaction(() => drop.run(rowidsJson(rows.map((r) => r.tid))))();
          for (const r of rows) ctx.report.item({ category: category as RowCategory, target: `${dbName}:${table}#${r.sid}`, bytes: 0, action: 'purge', reason });
        }
      }
    } catch (err) {
      ok = false;
      ctx.report.error({ category: category as RowCategory, target: `${trashRel(ctx.settings)}/trash.db:${table}`, message: `not purged: ${(err as Error).message}` });
    }
  }
  return ok;
}

/** A category to name in an error about a trash entry no category folder holds today. */
function firstFileCategory(ctx: RunContext): FileCategory {
  return (ctx.categories?.find((d) => d.kind === 'files')?.name ?? 'logs') as FileCategory;
}
