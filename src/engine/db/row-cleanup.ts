/**
 * The one implementation behind the tasks, errors and prompts categories: open the dashboard
 * database, detect the table, then in keyset batches by rowid read candidates, decide each with
 * the pure planner, and hand the rows to the run's sink (engine/sinks.ts): a real run removes the
 * batch in its own short transaction with the category's condition re-applied in SQL (delete, or
 * archive when the category's rule says so); a dry run's list sink takes them all, removing none.
 */
import { descriptorOf } from '../../domain/categories/index.js';
import { REASONS } from '../../domain/reasons.js';
import { type AgeRule, ageRuleOf, cutoffFor, decideRow } from '../planner.js';
import type { CategoryHandler, RunContext } from '../context.js';
import { removalFor, removes, SINK_PHASE, type SinkKind, sinkFor } from '../sinks.js';
import { trashPlace } from '../trash/row-place.js';
import type { RowCandidate, RowCategory } from '../../domain/types.js';
import { ArchiveError, createArchiver } from './archive.js';
import type { PlannedRow, RowExecutor } from './row-executor.js';
import {
  BUSY_TIMEOUT_MS,
  closeQuietly,
  type Db,
  databaseName,
  isOperationalError,
  openDashboardDb,
  quoteIdent,
  rowidsJson,
  TS_FUNCTION,
} from './open.js';
import { findReferencingTables, notReferencedSql } from './references.js';
import { conditionSql, type DetectedTable, detectTable, ROW_SPECS } from './schema.js';
import { parseTimestamp } from './timestamps.js';

/** Rows read, decided and removed per transaction: small enough to keep dashboard writers waiting only briefly. */
export const BATCH_SIZE = 1000;

export type { PlannedRow, RowExecutor } from './row-executor.js';

interface ScannedRow {
  id: bigint;
  ts: unknown;
}

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
const ROW_SINKS: Readonly<Record<SinkKind, (ctx: RunContext, db: Db, t: DetectedTable, cutoff: number, rule: AgeRule) => RowExecutor>> = {
  list: (ctx, db, t, cutoff, rule) => listRows(ROW_SINKS[removalFor(ctx, rule.action)](ctx, db, t, cutoff, rule)),
  delete: (_ctx, db, t, cutoff) => createDeleter(db, t, cutoff),
  archive: (ctx, db, t, cutoff) => createArchiver(ctx, db, t, cutoff),
  trash: (ctx, db, t, cutoff) => createArchiver(ctx, db, t, cutoff, trashPlace(ctx, t.category, t.table)),
};

async function sweepTable(ctx: RunContext, db: Db, t: DetectedTable, rule: AgeRule, kind: SinkKind): Promise<void> {
  const cutoff = cutoffFor(t.category, ctx.policy, ctx.now, rule);
  const executor = ROW_SINKS[kind](ctx, db, t, cutoff, rule);
  const scan = createScanner(db, t);
  let unreadable = 0;
  let done = 0;
  let hookCalled = false;
  for (let batch = scan(); batch.length > 0 && !ctx.signal.aborted; batch = scan()) {
    const plan = planBatch(ctx, t, rule, batch);
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
      executeBatch(ctx, db, t, executor, rows);
    }
    done += batch.length;
    ctx.report.progress(t.category, SINK_PHASE[kind], done);
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (unreadable > 0) {
    const rows = unreadable === 1 ? '1 row' : `${unreadable} rows`;
    ctx.report.warning(`${t.category}: ${rows} in ${t.table} kept because ${t.ageColumn} cannot be read`);
  }
}

/**
 * Reads the next batch of rows meeting the category's condition (not its age), in rowid order.
 * NOT INDEXED pins the rowid b-tree walk: an index on the condition column would make each
 * batch re-scan from the start of that index.
 */
function createScanner(db: Db, t: DetectedTable): () => ScannedRow[] {
  const id = t.rowidName;
  const from = `SELECT ${id} AS id, ${quoteIdent(t.ageColumn)} AS ts FROM main.${quoteIdent(t.table)} NOT INDEXED`;
  const first = db.prepare(`${from} WHERE ${conditionSql(t)} ORDER BY ${id} LIMIT ?`).safeIntegers(true);
  const next = db.prepare(`${from} WHERE ${id} > ? AND ${conditionSql(t)} ORDER BY ${id} LIMIT ?`).safeIntegers(true);
  let last: bigint | null = null;
  return () => {
    const rows = (last === null ? first.all(BATCH_SIZE) : next.all(last, BATCH_SIZE)) as ScannedRow[];
    const tail = rows.at(-1);
    if (tail) last = tail.id;
    return rows;
  };
}

function planBatch(ctx: RunContext, t: DetectedTable, rule: AgeRule, batch: readonly ScannedRow[]) {
  const remove: PlannedRow[] = [];
  let unreadable = 0;
  for (const row of batch) {
    const candidate: RowCandidate = {
      kind: 'row',
      category: t.category,
      table: t.table,
      rowid: Number(row.id),
      timestampMs: parseTimestamp(row.ts),
    };
    const decision = decideRow(candidate, ctx.policy, ctx.now, rule);
    if (candidate.timestampMs === null) unreadable++;
    else if (decision.action === 'delete' || decision.action === 'archive') {
      remove.push({ rowid: row.id, action: decision.action, reason: decision.reason });
    }
  }
  return { remove, unreadable };
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

/**
 * Keeps the planned rows that another row references (SPEC 3.11), and those the executor must
 * keep, reporting each as skipped: the same query in the dry run and the real run.
 */
function dropConflicts(ctx: RunContext, db: Db, t: DetectedTable, executor: RowExecutor, rows: PlannedRow[]): PlannedRow[] {
  if (rows.length === 0) return rows;
  rows = keepConflicts(ctx, t, rows, heldRows(ctx, t, rows));
  if (rows.length === 0) return rows;
  const referenced = findReferencingTables(db, t.table, t.rowidName, t.references, rowidsJson(rows.map((r) => r.rowid)));
  const free = keepConflicts(ctx, t, rows, new Map([...referenced].map(([id, tables]) => [id, referencedReason(tables)])));
  // Asked only about rows that will go, so a dry run looks at the archive exactly when the real run writes it.
  return free.length > 0 ? keepConflicts(ctx, t, free, executor.conflicts(free.map((r) => r.rowid))) : free;
}

function keepConflicts(ctx: RunContext, t: DetectedTable, rows: PlannedRow[], conflicts: Map<bigint, string>): PlannedRow[] {
  if (conflicts.size === 0) return rows;
  return rows.filter((r) => {
    const reason = conflicts.get(r.rowid);
    if (reason) ctx.report.skipped({ category: t.category, target: targetOf(ctx, t, r.rowid), reason });
    return !reason;
  });
}

/** Rows a restore put back, kept while their hold lasts (engine/trash/journal.ts). */
function heldRows(ctx: RunContext, t: DetectedTable, rows: readonly PlannedRow[]): Map<bigint, string> {
  const held = new Map<bigint, string>();
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

function executeBatch(ctx: RunContext, db: Db, t: DetectedTable, executor: RowExecutor, rows: readonly PlannedRow[]): void {
  const removed = executor.execute(rows.map((r) => r.rowid));
  const kept = rows.filter((r) => !removed.has(r.rowid)).map((r) => r.rowid);
  // A row kept at deletion time because a reference appeared since planning says so.
  const referenced = kept.length > 0 ? findReferencingTables(db, t.table, t.rowidName, t.references, rowidsJson(kept)) : new Map();
  for (const r of rows) {
    if (removed.has(r.rowid)) reportItem(ctx, t, r);
    else {
      const tables = referenced.get(r.rowid);
      const reason = tables ? referencedReason(tables) : REASONS.rowChanged.text;
      ctx.report.skipped({ category: t.category, target: targetOf(ctx, t, r.rowid), reason });
    }
  }
}

/**
 * Tasks and errors: one DELETE per batch, condition, age and "nothing references it" re-checked,
 * RETURNING what went. Foreign keys are OFF on the connection: nothing cascades.
 */
function createDeleter(db: Db, t: DetectedTable, cutoff: number): RowExecutor {
  let run: ((json: string) => { id: bigint }[]) | null = null;
  const prepare = () => {
    const stmt = db
      .prepare(
        `DELETE FROM main.${quoteIdent(t.table)} AS s NOT INDEXED
         WHERE s.${t.rowidName} IN (SELECT value FROM json_each(?)) AND ${conditionSql(t, 's.')}
           AND ${TS_FUNCTION}(s.${quoteIdent(t.ageColumn)}) < ? AND ${notReferencedSql(t.references, 's.')}
         RETURNING ${t.rowidName} AS id`,
      )
      .safeIntegers(true);
    // IMMEDIATE: take the write lock up front so a busy dashboard makes us wait (busy_timeout), not fail.
    return db.transaction((json: string) => stmt.all(json, cutoff) as { id: bigint }[]).immediate;
  };
  return {
    conflicts: () => new Map(),
    execute(rowids) {
      run ??= prepare();
      return new Set(run(rowidsJson(rowids)).map((r) => r.id));
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
    execute: (rowids) => new Set(rowids),
  };
}

function reportItem(ctx: RunContext, t: DetectedTable, r: PlannedRow): void {
  ctx.report.item({
    category: t.category,
    target: targetOf(ctx, t, r.rowid),
    bytes: 0,
    action: removalFor(ctx, r.action),
    reason: r.reason,
  });
}

/** `architect.db:<table>#<rowid>`, with the configured database file's name. */
export function targetOf(ctx: RunContext, t: DetectedTable, rowid: bigint): string {
  return `${databaseName(ctx.settings)}:${t.table}#${rowid}`;
}
