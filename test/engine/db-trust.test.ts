/**
 * Issue 10, database side (SPEC 3.11): a run removes or changes no row of any table but the
 * category's own. Foreign keys never cascade and referenced rows are kept (dry run predicts it),
 * DELETE triggers skip the category, and the prompts archive holds every value exactly, archives
 * a prompt that reuses an archived rowid, and never copies a row twice.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { errorsHandler } from '../../src/engine/categories/errors.js';
import { promptsHandler } from '../../src/engine/categories/prompts.js';
import { tasksHandler } from '../../src/engine/categories/tasks.js';
import type { CategoryHandler } from '../../src/engine/context.js';
import {
  archivedRows,
  createDashboardDb,
  daysAgo,
  execSql,
  fmt,
  insertRows,
  OLD_ARCHIVE_DDL,
  type Row,
  rowidsOf,
  SCHEMAS,
  selectRows,
} from '../helpers/db-fixtures.js';
import { makeContext } from '../helpers/run-context.js';
import { makeTempDir, settingsFor } from '../helpers/temp-root.js';

const OLD = fmt.isoZ(daysAgo(30));
const task = (id: number, status = 'completed', at: unknown = OLD): Row => ({ id, title: `t${id}`, status, completed_at: at });
const prompt = (id: number, at: unknown = OLD): Row => ({ id, prompt: `prompt ${id}`, score: id + 0.5, payload: Buffer.from([id, 0, 255]), created_at: at });

/** A root whose architect.db runs `ddl`, with `rows` per table (inserted in the order given). */
function dashboard(ddl: string[], rows: Record<string, Row[]>) {
  const root = makeTempDir();
  const file = createDashboardDb(root, ...ddl);
  for (const [table, list] of Object.entries(rows)) insertRows(file, table, list);
  return { root, file, settings: settingsFor(root), archive: path.join(root, 'archive', 'prompts.db') };
}

/** Dry run, then real run: both outcomes. */
async function dryThenReal(handler: CategoryHandler, settings: ReturnType<typeof settingsFor>) {
  const dry = makeContext(settings, { dryRun: true });
  await handler.run(dry.ctx);
  const real = makeContext(settings);
  await handler.run(real.ctx);
  return { dry: dry.out, real: real.out };
}

const skip = (category: string, target: string, reason: string) => ({ category, target, reason });

describe('foreign keys never cascade (issue 10 item 1)', () => {
  it('keeps an old task that another table references ON DELETE CASCADE, with its notes, and says so in the dry run too', async () => {
    const notes = 'CREATE TABLE error_notes (id INTEGER PRIMARY KEY, task_id INTEGER REFERENCES task_queue(id) ON DELETE CASCADE, note TEXT)';
    const { file, settings } = dashboard([SCHEMAS.taskQueue, notes], {
      task_queue: [task(1), task(2), task(3)],
      error_notes: [{ id: 10, task_id: 2, note: 'a fresh note about task 2' }],
    });
    const { dry, real } = await dryThenReal(tasksHandler, settings);
    expect(rowidsOf(file, 'task_queue')).toEqual([2]);
    expect(selectRows(file, 'error_notes')).toEqual([{ rowid: 10, id: 10, task_id: 2, note: 'a fresh note about task 2' }]);
    const kept = [skip('tasks', 'architect.db:task_queue#2', 'referenced by error_notes')];
    expect(real.skipped).toEqual(kept);
    expect(dry.skipped).toEqual(kept);
    expect(real.items.map((i) => i.target)).toEqual(['architect.db:task_queue#1', 'architect.db:task_queue#3']);
    expect(dry.items).toEqual(real.items);
    expect(real.errors).toEqual([]);
  });

  it('keeps a task a plain reference points at, instead of failing the whole category with FOREIGN KEY constraint failed', async () => {
    const links = 'CREATE TABLE task_links (task_id INTEGER NOT NULL REFERENCES task_queue(id), url TEXT)';
    const { file, settings } = dashboard([SCHEMAS.taskQueue, links], {
      task_queue: [task(1), task(2)],
      task_links: [{ task_id: 1, url: 'https://example.test' }],
    });
    const { dry, real } = await dryThenReal(tasksHandler, settings);
    expect(real.errors).toEqual([]);
    expect(rowidsOf(file, 'task_queue')).toEqual([1]);
    expect(real.skipped).toEqual([skip('tasks', 'architect.db:task_queue#1', 'referenced by task_links')]);
    expect(dry.skipped).toEqual(real.skipped);
    expect(dry.items).toEqual(real.items);
  });

  it('names every table that references a row; composite keys, keys naming no column (the primary key) and self references count; NULL never references', async () => {
    const ddl = [
      'CREATE TABLE tasks (id INTEGER PRIMARY KEY, run TEXT, status TEXT, updated_at TEXT, parent_id INTEGER REFERENCES tasks, UNIQUE (id, run))',
      'CREATE TABLE audit (task_id INTEGER, FOREIGN KEY (task_id) REFERENCES TASKS)',
      'CREATE TABLE pairs (tid INTEGER, trun TEXT, FOREIGN KEY (tid, trun) REFERENCES tasks (id, run) ON DELETE SET NULL)',
    ];
    const t = (id: number, parent: number | null = null, run = 'r'): Row => ({ id, run, status: 'completed', updated_at: OLD, parent_id: parent });
    const { file, settings } = dashboard(ddl, {
      tasks: [t(1), t(2), t(3), t(4, 3), t(5), t(6)],
      audit: [{ task_id: 1 }, { task_id: null }],
      pairs: [{ tid: 1, trun: 'r' }, { tid: 5, trun: 'other run' }, { tid: 6, trun: null }],
    });
    const before = { audit: selectRows(file, 'audit'), pairs: selectRows(file, 'pairs') };
    const { dry, real } = await dryThenReal(tasksHandler, settings);
    expect(rowidsOf(file, 'tasks')).toEqual([1, 3]);
    expect(real.skipped).toEqual([
      skip('tasks', 'architect.db:tasks#1', 'referenced by audit, pairs'),
      skip('tasks', 'architect.db:tasks#3', 'referenced by tasks'),
    ]);
    expect(dry.skipped).toEqual(real.skipped);
    expect({ audit: selectRows(file, 'audit'), pairs: selectRows(file, 'pairs') }).toEqual(before);
  });

  it('a reference the dashboard stored as text ("2") keeps row 2, as SQLite would match it', async () => {
    const notes = 'CREATE TABLE notes (task_id TEXT REFERENCES task_queue(id))';
    const { file, settings } = dashboard([SCHEMAS.taskQueue, notes], { task_queue: [task(1), task(2)], notes: [{ task_id: '2' }] });
    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);
    expect(rowidsOf(file, 'task_queue')).toEqual([2]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['referenced by notes']);
  });

  it('keeps a row that a reference added after planning points at (re-checked in the DELETE)', async () => {
    const notes = 'CREATE TABLE error_notes (id INTEGER PRIMARY KEY, error_id INTEGER REFERENCES errors(id) ON DELETE CASCADE)';
    const { file, settings } = dashboard([SCHEMAS.errorsResolved, notes], {
      errors: [1, 2, 3].map((id) => ({ id, message: `e${id}`, resolved: 1, resolved_at: fmt.isoZ(daysAgo(40)) })),
    });
    const { ctx, out } = makeContext(settings, { beforeExecute: () => execSql(file, 'INSERT INTO error_notes (id, error_id) VALUES (7, 2)') });
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'errors')).toEqual([2]);
    expect(rowidsOf(file, 'error_notes')).toEqual([7]);
    expect(out.skipped).toEqual([skip('errors', 'architect.db:errors#2', 'referenced by error_notes')]);
  });

  it('keeps a referenced prompt in the source and copies nothing of it', async () => {
    const uses = 'CREATE TABLE prompt_uses (prompt_id INTEGER REFERENCES assigner_prompts(id) ON DELETE CASCADE)';
    const { file, archive, settings } = dashboard([SCHEMAS.assignerPrompts, uses], {
      assigner_prompts: [prompt(1), prompt(2)],
      prompt_uses: [{ prompt_id: 2 }],
    });
    const { dry, real } = await dryThenReal(promptsHandler, settings);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([2]);
    expect(rowidsOf(file, 'prompt_uses')).toEqual([1]);
    expect(archivedRows(archive, 'assigner_prompts').map((r) => r.rowid)).toEqual([1]);
    expect(real.skipped).toEqual([skip('prompts', 'architect.db:assigner_prompts#2', 'referenced by prompt_uses')]);
    expect(dry.skipped).toEqual(real.skipped);
  });

  it('skips the category, naming the key, when a foreign key does not match the table', async () => {
    const bad = 'CREATE TABLE bad (a, b, FOREIGN KEY (a, b) REFERENCES task_queue)';
    const { file, settings } = dashboard([SCHEMAS.taskQueue, bad], { task_queue: [task(1)] });
    const { dry, real } = await dryThenReal(tasksHandler, settings);
    expect(rowidsOf(file, 'task_queue')).toEqual([1]);
    const warning = 'tasks: a foreign key of table bad points at task_queue but does not match its columns (foreign key mismatch); tasks skipped';
    expect(real.warnings).toEqual([warning]);
    expect(dry.warnings).toEqual([warning]);
  });
});

describe('DELETE triggers skip the category (issue 10 item 1)', () => {
  it('leaves the table and the trigger target alone, with a warning naming the trigger, dry and real', async () => {
    const ddl = [
      SCHEMAS.taskQueue,
      'CREATE TABLE history (task_id INTEGER, what TEXT)',
      'CREATE TRIGGER "trg ✓ ""audit""" AFTER /* sneaky */ DELETE ON task_queue BEGIN INSERT INTO history VALUES (old.id, \'deleted\'); END',
    ];
    const { file, settings } = dashboard(ddl, { task_queue: [task(1), task(2)] });
    const { dry, real } = await dryThenReal(tasksHandler, settings);
    expect(rowidsOf(file, 'task_queue')).toEqual([1, 2]);
    expect(rowidsOf(file, 'history')).toEqual([]);
    const warning = 'tasks: table task_queue has a DELETE trigger trg ✓ "audit" that could change other tables; tasks skipped';
    expect(real.warnings).toEqual([warning]);
    expect(dry.warnings).toEqual([warning]);
    expect(real.items).toEqual([]);
  });

  it('skips prompts with a DELETE trigger too, and creates no archive', async () => {
    const ddl = [SCHEMAS.assignerPrompts, 'CREATE TABLE t2 (x)', 'CREATE TRIGGER p BEFORE DELETE ON Assigner_Prompts BEGIN DELETE FROM t2; END'];
    const { file, archive, settings } = dashboard(ddl, { assigner_prompts: [prompt(1)], t2: [{ x: 1 }] });
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([1]);
    expect(rowidsOf(file, 't2')).toEqual([1]);
    expect(out.warnings).toEqual(['prompts: table assigner_prompts has a DELETE trigger p that could change other tables; prompts skipped']);
    expect(() => new Database(archive, { fileMustExist: true })).toThrow();
  });

  it('is not fooled by INSERT and UPDATE triggers whose body or name says DELETE', async () => {
    const ddl = [
      SCHEMAS.taskQueue,
      'CREATE TABLE side (x)',
      'CREATE TRIGGER delete_cap AFTER INSERT ON task_queue BEGIN DELETE FROM side; END',
      'CREATE TRIGGER "on delete" AFTER UPDATE OF status ON task_queue BEGIN DELETE FROM side; END',
    ];
    const { file, settings } = dashboard(ddl, { task_queue: [task(1)], side: [{ x: 1 }] });
    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);
    expect(out.warnings).toEqual([]);
    expect(rowidsOf(file, 'task_queue')).toEqual([]);
    expect(rowidsOf(file, 'side')).toEqual([1]);
  });
});

/** The value of every column of every archive row with its storage class, in archive order. */
function typedArchive(file: string, table: string, columns: readonly string[]) {
  const db = new Database(file, { readonly: true });
  const sel = columns.map((c) => `typeof("${c}") AS "${c}:type", hex("${c}") AS "${c}:hex"`).join(', ');
  const rows = db.prepare(`SELECT ${sel} FROM "${table}" ORDER BY rowid`).all();
  db.close();
  return rows;
}

function prefill(archive: string, ddl: string, table: string, rows: readonly Row[]) {
  mkdirSync(path.dirname(archive), { recursive: true });
  const db = new Database(archive);
  db.exec(ddl);
  db.close();
  insertRows(archive, table, rows);
}

describe('the archive never rewrites a value (issue 10 item 4)', () => {
  const codes = 'CREATE TABLE prompts (id INTEGER PRIMARY KEY, code TEXT, amount, created_at TEXT)';
  const rows: Row[] = [
    { id: 1, code: '007', amount: '1.50', created_at: OLD },
    { id: 2, code: 'x', amount: 5, created_at: OLD },
    { id: 3, code: ' 12 ', amount: 5.0000001, created_at: OLD },
  ];

  it('an archive table declared `code INTEGER` is left alone; the values go, exact, into prompts_v2', async () => {
    const { file, archive, settings } = dashboard([codes], { prompts: rows });
    const source = typedArchive(file, 'prompts', ['id', 'code', 'amount', 'created_at']);
    prefill(archive, 'CREATE TABLE prompts (id INTEGER, code INTEGER, amount NUMERIC, created_at TEXT)', 'prompts', [{ id: 99, code: 1, amount: 2, created_at: 'then' }]);
    const { dry, real } = await dryThenReal(promptsHandler, settings);
    expect(real.errors).toEqual([]);
    expect(rowidsOf(file, 'prompts')).toEqual([]);
    expect(typedArchive(archive, 'prompts_v2', ['id', 'code', 'amount', 'created_at'])).toEqual(source);
    expect(archivedRows(archive, 'prompts_v2').map((r) => r.code)).toEqual(['007', 'x', ' 12 ']);
    expect(selectRows(archive, 'prompts')).toEqual([{ rowid: 1, id: 99, code: 1, amount: 2, created_at: 'then' }]);
    const warning =
      'prompts: archive/prompts.db: prompts is not used because column code is declared INTEGER, which could change the source\'s values, column amount is declared NUMERIC, which could change the source\'s values; archiving into prompts_v2';
    expect(real.warnings).toEqual([warning]);
    expect(dry.warnings).toEqual([warning]);
  });

  it('keeps integers, reals, text, blobs and NULL of an untyped column exactly (storage class and bytes)', async () => {
    const ddl = 'CREATE TABLE prompts (id INTEGER PRIMARY KEY, v, created_at TEXT)';
    const values = [5, 5.5, '5', Buffer.from('5'), null, '0x10', 'É', Buffer.from([0xff, 0xfe]), 2 ** 53 + 1];
    const { file, archive, settings } = dashboard([ddl], {});
    const db = new Database(file);
    const ins = db.prepare('INSERT INTO prompts (v, created_at) VALUES (?, ?)');
    for (const v of values) ins.run(typeof v === 'number' && !Number.isInteger(v) ? v : typeof v === 'number' ? BigInt(v) : v, OLD);
    ins.run(5.0, OLD); // a REAL that looks like an integer
    db.close();
    const source = typedArchive(file, 'prompts', ['v']);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.errors).toEqual([]);
    expect(rowidsOf(file, 'prompts')).toEqual([]);
    expect(typedArchive(archive, 'prompts', ['v'])).toEqual(source);
  });

  it('an insert the archive refuses (a CHECK) is an error naming the archive, and the rows stay in the source', async () => {
    const { file, archive, settings } = dashboard([SCHEMAS.assignerPrompts], { assigner_prompts: [prompt(1), prompt(2)] });
    prefill(archive, 'CREATE TABLE assigner_prompts (id INTEGER, prompt TEXT CHECK (length(prompt) < 5), score REAL, payload BLOB, created_at TEXT)', 'assigner_prompts', []);
    const before = selectRows(file, 'assigner_prompts');
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(selectRows(file, 'assigner_prompts')).toEqual(before);
    expect(out.skipped).toEqual([]);
    expect(out.items).toEqual([]);
    expect(out.errors).toEqual([
      { category: 'prompts', target: 'archive/prompts.db', message: 'prompts: archive/prompts.db: CHECK constraint failed: length(prompt) < 5' },
    ]);
  });

  it('a hand-made archive with a PRIMARY KEY is not written to, but the copies an earlier run left in it are found: each prompt once', async () => {
    const all = [1, 2, 3, 4, 5].map((id) => prompt(id));
    const { file, archive, settings } = dashboard([SCHEMAS.assignerPrompts], { assigner_prompts: all });
    const before = selectRows(file, 'assigner_prompts');
    // Rows 1-3 were copied, rows 1-2 deleted, then the process died.
    prefill(archive, SCHEMAS.assignerPrompts, 'assigner_prompts', all.slice(0, 3));
    execSql(file, 'DELETE FROM assigner_prompts WHERE id <= 2');
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    expect(selectRows(archive, 'assigner_prompts')).toEqual(before.slice(0, 3));
    expect(archivedRows(archive, 'assigner_prompts_v2')).toEqual(before.slice(3));
    expect(out.items.map((i) => i.target)).toEqual([3, 4, 5].map((id) => `architect.db:assigner_prompts#${id}`));
    expect(out.warnings).toEqual([
      'prompts: archive/prompts.db: assigner_prompts is not used because column id is its primary key; archiving into assigner_prompts_v2',
    ]);
  });
});

describe('archive tables of other shapes', () => {
  it('a STRICT archive table whose columns are ANY keeps values as given: used, and a new source column is added as ANY', async () => {
    const { file, archive, settings } = dashboard([SCHEMAS.assignerPrompts], { assigner_prompts: [prompt(1)] });
    prefill(archive, 'CREATE TABLE assigner_prompts (id ANY, prompt ANY, created_at ANY) STRICT', 'assigner_prompts', []);
    const before = selectRows(file, 'assigner_prompts');
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.errors).toEqual([]);
    expect(out.warnings).toEqual([]);
    expect(archivedRows(archive, 'assigner_prompts')).toEqual(before);
  });
});

describe('reused rowids (issue 10 item 5)', () => {
  it('archives a prompt whose id SQLite reused after the table emptied, on the next run', async () => {
    const { file, archive, settings } = dashboard([SCHEMAS.assignerPrompts], { assigner_prompts: [prompt(1)] });
    await promptsHandler.run(makeContext(settings).ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    // The table is empty: SQLite hands out id 1 again.
    execSql(file, 'INSERT INTO assigner_prompts (prompt, created_at) VALUES (?, ?)', 'a second prompt', fmt.isoZ(daysAgo(20)));
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([1]);
    const second = selectRows(file, 'assigner_prompts');
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.skipped).toEqual([]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:assigner_prompts#1']);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    expect(archivedRows(archive, 'assigner_prompts').map((r) => r.prompt)).toEqual(['prompt 1', 'a second prompt']);
    expect(archivedRows(archive, 'assigner_prompts')[1]).toEqual(second[0]);
  });

  it('a copy whose delete never happened (a crash) is found by (source rowid, digest): removed from the source, not copied again', async () => {
    const rows = [1, 2, 3].map((id) => prompt(id));
    const { file, archive, settings } = dashboard([SCHEMAS.assignerPrompts], { assigner_prompts: rows });
    await promptsHandler.run(makeContext(settings).ctx);
    // As if the delete of the first move had never committed: the same rows are back in the source.
    insertRows(file, 'assigner_prompts', rows);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    expect(archivedRows(archive, 'assigner_prompts').map((r) => r.rowid)).toEqual([1, 2, 3]);
    expect(out.items).toHaveLength(3);
  });

  it('migrates an archive of the earlier layout: its rows get their source rowid and a digest that matches the source row', async () => {
    const rows = [1, 2].map((id) => prompt(id));
    const { file, archive, settings } = dashboard([SCHEMAS.assignerPrompts], { assigner_prompts: rows });
    prefill(archive, OLD_ARCHIVE_DDL, 'assigner_prompts', [{ rowid: 1, ...rows[0] }]);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.items).toHaveLength(2);
    const db = new Database(archive, { readonly: true });
    const keys = db.prepare('SELECT rowid, _cleanup_source_rowid AS s, _cleanup_run_id AS run, length(_cleanup_digest) AS d FROM assigner_prompts ORDER BY rowid').all();
    db.close();
    // Row 1 was already there (no copy of it), row 2 was copied by this run.
    expect(keys).toEqual([
      { rowid: 1, s: 1, run: null, d: 64 },
      { rowid: 2, s: 2, run: 'test-run', d: 64 },
    ]);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    // The digest given to the migrated row is the one a fresh copy of that row gets.
    const fresh = dashboard([SCHEMAS.assignerPrompts], { assigner_prompts: [rows[0] as Row] });
    await promptsHandler.run(makeContext(fresh.settings).ctx);
    expect(digests(archive)[0]).toBe(digests(fresh.archive)[0]);
    expect(digests(archive)[1]).not.toBe(digests(archive)[0]);
  });
});

function digests(archive: string): string[] {
  const db = new Database(archive, { readonly: true });
  const list = db.prepare('SELECT _cleanup_digest FROM assigner_prompts ORDER BY rowid').pluck().all() as string[];
  db.close();
  return list;
}
