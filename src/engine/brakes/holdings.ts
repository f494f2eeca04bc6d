/**
 * What a category holds, for the brake's "more than half of it" (issue 15): its files (and their
 * bytes) or its table's rows, read without changing anything. Asked only for a category whose
 * plan is already far beyond its history, so a usual run never pays for this walk.
 */
import { descriptorOf } from '../../domain/categories/index.js';
import type { Amount } from '../../domain/limits.js';
import type { FileCategory, RowCategory } from '../../domain/types.js';
import { collectBackups } from '../categories/backups.js';
import { isLogName } from '../categories/logs.js';
import type { RunContext } from '../context.js';
import { closeQuietly, isOperationalError, openDashboardDb, quoteIdent } from '../db/open.js';
import { detectTable, ROW_SPECS } from '../db/schema.js';
import { walkCategoryFolder } from '../fs/collect.js';
import { folderPaths, openCategoryFolder, openFileScope } from '../fs/scope.js';

/** Files count when their name is one the category takes (logs: log names); other categories take every file. */
const NAME_RULES: Readonly<Record<string, (name: string) => boolean>> = { logs: isLogName };

/**
 * Counts what `category` holds: every regular file under its folders (backups: the backups the
 * collector finds), or every row of its table. `ctx` should report into nothing: the real pass
 * gives the category's own warnings. Returns null when it cannot be told (the brake then does
 * not judge the share, only the history).
 */
export async function measureHolding(ctx: RunContext, category: string): Promise<Amount | null> {
  const d = descriptorOf(category, ctx.categories);
  return d.kind === 'rows' ? countRows(ctx, category as RowCategory) : countFiles(ctx, category as FileCategory);
}

async function countFiles(ctx: RunContext, category: FileCategory): Promise<Amount | null> {
  const scope = await openFileScope(ctx);
  if (!scope) return null;
  const d = descriptorOf(category, ctx.categories);
  const held: Amount = { items: 0, bytes: 0 };
  const takes = NAME_RULES[category] ?? (() => true);
  for (const rel of folderPaths(ctx.settings.paths, d)) {
    const folder = await openCategoryFolder(ctx, scope, category, rel);
    if (!folder) continue;
    if (category === 'backups') {
      for (const c of (await collectBackups(ctx, scope, folder)) ?? []) add(held, c.size);
      continue;
    }
    await walkCategoryFolder(ctx, category, folder, {}, (r) => {
      if (r.kind === 'file' && takes(r.rel.slice(r.rel.lastIndexOf('/') + 1))) add(held, r.size);
    });
  }
  return held;
}

function add(held: Amount, bytes: number): void {
  held.items++;
  held.bytes += bytes;
}

function countRows(ctx: RunContext, category: RowCategory): Amount | null {
  let db: ReturnType<typeof openDashboardDb> = null;
  try {
    db = openDashboardDb(ctx.settings, { readonly: true });
    if (!db) return null;
    const detection = detectTable(db, ROW_SPECS[category], ctx.settings.tables[category]);
    if (!detection.ok) return null;
    const n = db.prepare(`SELECT count(*) AS n FROM main.${quoteIdent(detection.table.table)}`).pluck().get() as number;
    return { items: n, bytes: 0 };
  } catch (err) {
    if (!isOperationalError(err)) throw err;
    return null; // a busy or unreadable database: the real pass reports it
  } finally {
    if (db) closeQuietly(db);
  }
}
