/**
 * Goal 3: the tasks category vs one plain DELETE, and the prompts category vs a plain
 * INSERT ... SELECT + DELETE, each on an identical copy of the dashboard database while a
 * writer process inserts every few ms and records its worst stall. Interleaved A B / B A.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runOnceChild, spawnChild } from '../child.js';
import type { BookkeepingResult } from '../children/bookkeeping-child.js';
import type { EngineResult } from '../children/engine-child.js';
import type { SqlJob, SqlResult } from '../children/sql-child.js';
import type { WriterJob, WriterResult } from '../children/writer-child.js';
import { promptsCutoffText, tasksCutoffText } from '../dashboard-db.js';
import { absCheck, type GoalResult, ratioCheck, say } from '../results.js';
import { median } from '../stats.js';
import { removeTree } from '../workdir.js';
import { engineSummary, ms, runEngine } from './files.js';

export interface DbContext {
  work: string;
  masterDb: string;
  repeat: number;
  writerMs: number;
}

type Kind = 'tasks' | 'prompts';

interface SideResult {
  wallMs: number;
  changes: number;
  writer: WriterResult;
  engine?: Record<string, unknown>;
}

/** Runs `fn` while a writer child writes to `dbFile` every `intervalMs`; returns both results. */
export async function withWriter<T>(job: WriterJob, fn: () => Promise<T>): Promise<{ value: T; writer: WriterResult }> {
  const w = await spawnChild<{ pid: number }>('writer-child', job);
  try {
    await new Promise((r) => setTimeout(r, 250));
    const value = await fn();
    return { value, writer: await w.stop<WriterResult>() };
  } catch (err) {
    w.kill();
    throw err;
  }
}

async function engineSide(kind: Kind, root: string, writerMs: number): Promise<SideResult> {
  const { value, writer } = await withWriter(
    { dbFile: path.join(root, 'architect.db'), mode: kind === 'tasks' ? 'insert-task' : 'insert-prompt', intervalMs: writerMs },
    () => runEngine({ root, categories: [kind], dryRun: false, now: Date.now() }),
  );
  const e: EngineResult = value;
  return { wallMs: e.wallMs, changes: e.itemsTotal, writer, engine: engineSummary(e) };
}

async function referenceSide(kind: Kind, root: string, writerMs: number): Promise<SideResult> {
  const now = Date.now();
  const job: SqlJob =
    kind === 'tasks'
      ? { kind: 'delete-tasks', dbFile: path.join(root, 'architect.db'), cutoff: tasksCutoffText(now) }
      : { kind: 'archive-prompts', dbFile: path.join(root, 'architect.db'), cutoff: promptsCutoffText(now), archiveFile: path.join(root, 'archive', 'prompts.db') };
  if (kind === 'prompts') mkdirSync(path.join(root, 'archive'), { recursive: true });
  const { value, writer } = await withWriter(
    { dbFile: job.dbFile, mode: kind === 'tasks' ? 'insert-task' : 'insert-prompt', intervalMs: writerMs },
    () => runOnceChild<SqlResult>('sql-child', job),
  );
  return { wallMs: value.wallMs, changes: value.changes, writer };
}

/** What is left after a run, ignoring the writer's own rows: must be equal on both sides. */
function leftover(kind: Kind, root: string): { source: number; archived: number } {
  const db = new Database(path.join(root, 'architect.db'), { readonly: true });
  const source =
    kind === 'tasks'
      ? (db.prepare(`SELECT count(*) AS n FROM task_queue WHERE task_type <> 'bench-writer'`).get() as { n: number }).n
      : (db.prepare(`SELECT count(*) AS n FROM assigner_prompts WHERE role <> 'bench-writer'`).get() as { n: number }).n;
  db.close();
  let archived = 0;
  if (kind === 'prompts') {
    const a = new Database(path.join(root, 'archive', 'prompts.db'), { readonly: true });
    archived = (a.prepare('SELECT count(*) AS n FROM assigner_prompts').get() as { n: number }).n;
    a.close();
  }
  return { source, archived };
}

/** Goal 3 for one category. */
export async function benchRows(kind: Kind, c: DbContext): Promise<GoalResult> {
  const runs: { rep: number; order: string; engine: SideResult; reference: SideResult; left: unknown }[] = [];
  for (let rep = 0; rep < c.repeat; rep++) {
    const a = path.join(c.work, `${kind}-engine-${rep}`);
    const b = path.join(c.work, `${kind}-sql-${rep}`);
    for (const dir of [a, b]) {
      mkdirSync(dir, { recursive: true });
      copyFileSync(c.masterDb, path.join(dir, 'architect.db'));
    }
    const engineFirst = rep % 2 === 1;
    let eng: SideResult | null = null;
    let ref: SideResult | null = null;
    for (const side of engineFirst ? ['engine', 'sql'] : ['sql', 'engine']) {
      if (side === 'engine') eng = await engineSide(kind, a, c.writerMs);
      else ref = await referenceSide(kind, b, c.writerMs);
    }
    if (!eng || !ref) throw new Error('unreachable');
    const left = { engine: leftover(kind, a), reference: leftover(kind, b) };
    say(
      `${kind} rep ${rep + 1}: sql ${ms(ref.wallMs)} (${ref.changes}, writer worst ${ref.writer.stall.max} ms, ${ref.writer.errors} errors), ` +
        `engine ${ms(eng.wallMs)} (${eng.changes}, writer worst ${eng.writer.stall.max} ms, ${eng.writer.errors} errors)`,
    );
    runs.push({ rep, order: engineFirst ? 'engine,sql' : 'sql,engine', engine: eng, reference: ref, left });
    removeTree(a);
    removeTree(b);
  }
  const same = runs.every((r) => JSON.stringify((r.left as { engine: unknown }).engine) === JSON.stringify((r.left as { reference: unknown }).reference));
  const engMs = median(runs.map((r) => r.engine.wallMs));
  const refMs = median(runs.map((r) => r.reference.wallMs));
  const worst = median(runs.map((r) => r.engine.writer.stall.max));
  const errors = runs.reduce((n, r) => n + r.engine.writer.errors, 0);
  // The floor SPEC 3.8 sets: a history entry per removed row and a log line per batch, beside the reference's cost per row.
  const book = await runOnceChild<BookkeepingResult>('bookkeeping-child', { rows: Math.min(100_000, Math.max(1000, runs[0]?.reference.changes ?? 1000)) });
  const refUs = (refMs * 1000) / Math.max(1, median(runs.map((r) => r.reference.changes)));
  const floor = (book.logUsPerRow + book.historyUsPerRow) / refUs;
  const writerChecks = [
    absCheck('writer worst stall during the run', worst, '<', 150, 'ms'),
    absCheck('writer errors during the run', errors, '<=', 0, ''),
  ];
  const checks =
    kind === 'tasks'
      ? [ratioCheck('time vs one plain DELETE', engMs, refMs, '<=', 1.7), ...writerChecks]
      : [ratioCheck('time vs INSERT ... SELECT + DELETE', engMs, refMs, '<=', 2), ...writerChecks];
  return {
    goal: kind === 'tasks' ? '1' : '2',
    title: kind === 'tasks' ? 'tasks category vs one DELETE, writer every 5 ms' : 'prompts archiving vs INSERT...SELECT + DELETE',
    checks,
    runs,
    notes: [
      same ? 'both sides left the same rows (and archived the same count)' : 'MISMATCH: the two copies differ after the run',
      `SPEC 3.8 bookkeeping per removed row (${book.rows} rows, measured alone): batch log line ${book.logUsPerRow} µs + history entry ${book.historyUsPerRow} µs, ` +
        `against ${refUs.toFixed(2)} µs per row for the reference: ${floor.toFixed(2)}x before any row is deleted`,
      `reference: writer worst stall ${median(runs.map((r) => r.reference.writer.stall.max))} ms, ${runs.reduce((n, r) => n + r.reference.writer.errors, 0)} errors`,
    ],
  };
}
