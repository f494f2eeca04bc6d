/**
 * The one implementation behind the tasks, errors and prompts categories: open the dashboard
 * database, detect the table, then window by window (row-windows.ts: at most BATCH_SIZE rows by
 * rowid, the category's condition and age decided in SQL, age-sql.ts) plan the rows to remove,
 * word each one's reason with the planner, and hand them to the run's sink (engine/sinks.ts): a
 * real run removes exactly the planned rows in their own short transaction with the category's
 * condition, age and references re-applied in SQL (delete, or archive when the category's rule
 * says so); a dry run's list sink takes them all, removing none.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { descriptorOf } from '../../domain/categories/index.js';
import { REASONS } from '../../domain/reasons.js';
import { type AgeRule, ageReason, ageRuleOf, cutoffFor } from '../planner.js';
import type { CategoryHandler, RunContext } from '../context.js';
import { removalFor, removes, SINK_PHASE, type SinkKind, sinkFor } from '../sinks.js';
import { trashPlace } from '../trash/row-place.js';
import type { RowCategory } from '../../domain/types.js';
import { type AgeSql, ageSql, detectTextShape } from './age-sql.js';
import { ArchiveError, createArchiver } from './archive.js';
import { listedSql, listingOf, type Listing, NONE_KEPT, type PlannedRow, type RowExecutor, type RowId, rowIdOf, stillThere } from './row-executor.js';
import { createWindows, type WindowPlan } from './row-windows.js';
import {
  BUSY_TIMEOUT_MS,
  closeQuietly,
  type Db,
  databaseName,
  isOperationalError,
  openDashboardDb,
  quoteIdent,
  rowidsJson,
} from './open.js';
import { findReferencingTables, notReferencedSql } from './references.js';
import { conditionSql, type DetectedTable, detectTable, ROW_SPECS } from './schema.js';

/**
 * Rows per batch: one rowid window of at most this many rows is planned, then removed in its own
 * short transaction (about 10-15 ms for 5000 rows, so a dashboard writer waits that long at most).
 */
export const BATCH_SIZE = 5000;

export type { PlannedRow, RowExecutor } from './row-executor.js';

/** A CategoryHandler for one database category. */
export function createRowHandler(category: RowCategory): CategoryHandler {
  return { category, run: (ctx) => cleanRowCategory(ctx, category) };
}

/**
 * Runs one database category. Never creates the database; a missing database or table is a
 * warning, a SQLite failure (locked past the busy timeout, read-only, corrupt) is one error
 * for the category; both let the run go on. Programmer errors are thrown.
 */
export async function cleanRowCategory(ctx: RunContext, category: RowCategory): Promise<void> {
  const dbName = databaseName(ctx.settings);
  // The category's rule (its descriptor's: the action, delete or archive, picks the sink).
  const rule = ageRuleOf(descriptorOf(category, ctx.categories));
  const kind = sinkFor(ctx, rule.action);
  let db: Db | null = null;
  try {
    db = openDashboardDb(ctx.settings, { readonly: !removes(kind) });
    if (!db) {
      ctx.report.warning(`database ${dbName} not found; ${category} skipped`);
      return;
    }
    const detection = detectTable(db, ROW_SPECS[category], ctx.settings.tables[category]);
    if (!detection.ok) {
      ctx.report.warning(detection.warning);
      return;
    }
    await sweepTable(ctx, db, detection.table, rule, kind);
  } catch (err) {
    if (!isOperationalError(err)) throw err;
    // The archive's failures name the archive: the dashboard's database is not the one at fault.
    const name = err instanceof ArchiveError ? err.file : dbName;
    ctx.report.error({ category, target: name, message: describeDbFailure(category, name, err) });
  } finally {
    if (db) closeQuietly(db);
  }
}

/**
 * One line for a failed database category. "database is locked" alone does not say that another
 * process held the dashboard's database past our busy timeout, nor that nothing was lost.
 */
export function describeDbFailure(category: RowCategory, dbName: string, err: Error): string {
  const code = String((err as { code?: unknown }).code ?? '');
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `${category}: ${dbName} is locked by another process (waited ${BUSY_TIMEOUT_MS / 1000} s); ${category} not cleaned this run, the next run retries`;
  }
  return `${category}: ${err.message}`;
}

/**
 * The row sinks by kind. A dry run's list sink asks the executor the real run would use (the
 * rule's, or the trash's in place of delete) for its conflicts and preview. The trash moves rows
 * into trash.db exactly as the archive moves prompts.
 */
const ROW_SINKS: Readonly<Record<SinkKind, (ctx: RunContext, db: Db, t: DetectedTable, age: AgeSql, rule: AgeRule) => RowExecutor>> = {
  list: (ctx, db, t, age, rule) => listRows(ROW_SINKS[removalFor(ctx, rule.action)](ctx, db, t, age, rule)),
  delete: (_ctx, db, t, age) => createDeleter(db, t, age),
  archive: (ctx, db, t, age) => createArchiver(ctx, db, t, age),
  trash: (ctx, db, t, age) => createArchiver(ctx, db, t, age, trashPlace(ctx, t.category, t.table)),
};

async function sweepTable(ctx: RunContext, db: Db, t: DetectedTable, rule: AgeRule, kind: SinkKind): Promise<void> {
  const cutoff = cutoffFor(t.category, ctx.policy, ctx.now, rule);
  const age = ageSql(`s.${quoteIdent(t.ageColumn)}`, cutoff, detectTextShape(db, t.table, t.ageColumn, t.rowidName));
  const executor = ROW_SINKS[kind](ctx, db, t, age, rule);
  const nextWindow = createWindows(db, t, age, BATCH_SIZE);
  let unreadable = 0;
  let done = 0;
  let hookCalled = false;
  for (let window = nextWindow(); window !== null && !ctx.signal.aborted; window = nextWindow()) {
    const plan = planBatch(ctx, rule, window);
    unreadable += plan.unreadable;
    // Held, referenced and conflicting rows are kept first, as in the dry run the brake checked:
    // only rows that can go count against a gate's budget.
    const free = dropConflicts(ctx, db, t, executor, plan.remove);
    const rows = ctx.gate ? admitted(ctx, t, free) : free;
    if (rows.length > 0) {
      if (removes(kind) && !hookCalled) {
        hookCalled = true;
        await ctx.beforeExecute?.(t.category);
        if (ctx.signal.aborted) break;
      }
      // A server answering /status meanwhile gets the loop between planning and removing.
      await yieldToLoop();
      await executeBatch(ctx, db, t, executor, rows);
    }
    done += window.ids.length;
    ctx.report.progress(t.category, SINK_PHASE[kind], done);
    await yieldToLoop();
  }
  if (unreadable > 0) {
    const rows = unreadable === 1 ? '1 row' : `${unreadable} rows`;
    ctx.report.warning(`${t.category}: ${rows} in ${t.table} kept because ${t.ageColumn} cannot be read`);
  }
}

/** The window's rows with a readable age, each with the planner's decision and reason; the unreadable ones counted. */
function planBatch(ctx: RunContext, rule: AgeRule, window: WindowPlan) {
  const remove: PlannedRow[] = [];
  let unreadable = 0;
  const limit = rule.limitMs(ctx.policy);
  for (let i = 0; i < window.ids.length; i++) {
    const ms = window.ms[i] ?? null;
    if (ms === null) {
      unreadable++;
      continue;
    }
    // The planner's own test (age > limit): the SQL already chose these rows by the same cutoff.
    const age = ctx.now - ms;
    if (age > limit) remove.push({ rowid: window.ids[i] as RowId, action: rule.action, reason: ageReason(rule, age, limit) });
  }
  return { remove, unreadable };
}

/**
 * Keeps the planned rows that another row references (SPEC 3.11), and those the executor must
 * keep, reporting each as skipped: the same query in the dry run and the real run.
 */
function dropConflicts(ctx: RunContext, db: Db, t: DetectedTable, executor: RowExecutor, rows: PlannedRow[]): PlannedRow[] {
  if (rows.length === 0) return rows;
  rows = keepConflicts(ctx, t, rows, heldRows(ctx, t, rows));
  if (rows.length === 0) return rows;
  const referenced = referencingTables(db, t, rows.map((r) => r.rowid));
  const free = keepConflicts(ctx, t, rows, new Map([...referenced].map(([id, tables]) => [id, referencedReason(tables)])));
  // Asked only about rows that will go, so a dry run looks at the archive exactly when the real run writes it.
  return free.length > 0 ? keepConflicts(ctx, t, free, executor.conflicts(free.map((r) => r.rowid))) : free;
}

/** findReferencingTables for these rows, keyed by RowId (nothing is asked when no foreign key points at the table). */
function referencingTables(db: Db, t: DetectedTable, rowids: readonly RowId[]): Map<RowId, string[]> {
  if (t.references.length === 0 || rowids.length === 0) return new Map();
  const found = findReferencingTables(db, t.table, t.rowidName, t.references, rowidsJson(rowids));
  return new Map([...found].map(([id, tables]) => [rowIdOf(id), tables]));
}

function keepConflicts(ctx: RunContext, t: DetectedTable, rows: PlannedRow[], conflicts: Map<RowId, string>): PlannedRow[] {
  if (conflicts.size === 0) return rows;
  return rows.filter((r) => {
    const reason = conflicts.get(r.rowid);
    if (reason) ctx.report.skipped({ category: t.category, target: targetOf(ctx, t, r.rowid), reason });
    return !reason;
  });
}

/** The rows a run carrying out a checked plan may remove (ctx.gate): the others are kept, those of the plan with the reason. */
function admitted(ctx: RunContext, t: DetectedTable, rows: PlannedRow[]): PlannedRow[] {
  return rows.filter((r) => {
    const target = targetOf(ctx, t, r.rowid);
    const gate = ctx.gate?.admit({ category: t.category, target, bytes: 0, action: removalFor(ctx, r.action) }) ?? 'go';
    if (gate !== 'go' && gate !== 'outside') ctx.report.skipped({ category: t.category, target, reason: gate.skip });
    return gate === 'go';
  });
}

/** Rows a restore put back, kept while their hold lasts (engine/trash/journal.ts). */
function heldRows(ctx: RunContext, t: DetectedTable, rows: readonly PlannedRow[]): Map<RowId, string> {
  const held = new Map<RowId, string>();
  const holds = ctx.trash?.holds;
  if (!holds?.size) return held;
  for (const r of rows) {
    const reason = holds.get(targetOf(ctx, t, r.rowid));
    if (reason) held.set(r.rowid, reason);
  }
  return held;
}

function referencedReason(tables: readonly string[]): string {
  return `referenced by ${tables.join(', ')}`;
}

/** Rows reported (items, history) between two turns of the event loop. */
const REPORT_CHUNK = 1000;


async function executeBatch(ctx: RunContext, db: Db, t: DetectedTable, executor: RowExecutor, rows: readonly PlannedRow[]): Promise<void> {
  const kept = executor.execute(rows.map((r) => r.rowid));
  // A row kept at deletion time because a reference appeared since planning says so.
  const referenced = kept.size > 0 ? referencingTables(db, t, [...kept]) : new Map<RowId, string[]>();
  const removed: (number | string)[] = [];
  const prefix = `${databaseName(ctx.settings)}:${t.table}#`;
  for (let n = 0; n < rows.length; n++) {
    // The rows are gone already: every one is reported, the loop just gets its turns meanwhile.
    if (n > 0 && n % REPORT_CHUNK === 0) await yieldToLoop();
    const r = rows[n] as PlannedRow;
    if (!kept.has(r.rowid)) {
      ctx.report.item({ category: t.category, target: prefix + r.rowid, bytes: 0, action: removalFor(ctx, r.action), reason: r.reason });
      removed.push(typeof r.rowid === 'number' ? r.rowid : String(r.rowid));
    } else {
      const tables = referenced.get(r.rowid);
      const reason = tables ? referencedReason(tables) : REASONS.rowChanged.text;
      ctx.report.skipped({ category: t.category, target: prefix + r.rowid, reason });
    }
  }
  // SPEC 3.8: the batch's rows are logged together, one line naming the table and every rowid.
  const action = rows[0] ? removalFor(ctx, rows[0].action) : undefined;
  if (removed.length > 0 && action) ctx.report.rowBatch?.({ category: t.category, table: t.table, action, rowids: removed });
}

/**
 * Tasks and errors: one DELETE per batch of exactly the planned rows (row-executor.ts listedSql),
 * with the condition, the age and "nothing references it" re-checked in SQL. Foreign keys are
 * OFF on the connection: nothing cascades.
 */
function createDeleter(db: Db, t: DetectedTable, age: AgeSql): RowExecutor {
  const statements = new Map<Listing, (params: Record<string, unknown>) => number>();
  const statement = (form: Listing) => {
    let run = statements.get(form);
    if (!run) {
      const stmt = db.prepare(
        `DELETE FROM main.${quoteIdent(t.table)} AS s NOT INDEXED
         WHERE ${listedSql(form, t.rowidName)} AND ${conditionSql(t, 's.')} AND ${age.older} AND ${notReferencedSql(t.references, 's.')}`,
      );
      run = (params) => stmt.run({ ...params, ...age.params }).changes;
      statements.set(form, run);
    }
    return run;
  };
  let remove: ((rowids: readonly RowId[]) => ReadonlySet<RowId>) | null = null;
  const prepare = () => {
    const left = stillThere(db, t);
    // IMMEDIATE: take the write lock up front so a busy dashboard makes us wait (busy_timeout), not fail.
    return db.transaction((rowids: readonly RowId[]) => {
      const listing = listingOf(rowids);
      return left(rowids, rowids.length - statement(listing.form)(listing.params));
    }).immediate;
  };
  return {
    conflicts: () => new Map(),
    execute(rowids) {
      remove ??= prepare();
      return remove(rowids);
    },
  };
}

/** The dry run's sink: takes every row, removing none, after the rule's executor had its look. */
function listRows(executor: RowExecutor): RowExecutor {
  return {
    conflicts(rowids) {
      executor.preview?.();
      return executor.conflicts(rowids);
    },
    execute: () => NONE_KEPT,
  };
}

/** `architect.db:<table>#<rowid>`, with the configured database file's name. */
export function targetOf(ctx: RunContext, t: DetectedTable, rowid: RowId): string {
  return `${databaseName(ctx.settings)}:${t.table}#${rowid}`;
}
