import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TableConfig } from '../../src/config/schema.js';
import { closeQuietly, openDashboardDb } from '../../src/engine/db/open.js';
import { detectTable, ROW_SPECS } from '../../src/engine/db/schema.js';
import { errorsHandler } from '../../src/engine/categories/errors.js';
import { promptsHandler } from '../../src/engine/categories/prompts.js';
import { tasksHandler } from '../../src/engine/categories/tasks.js';
import type { RowCategory } from '../../src/engine/types.js';
import { createDashboardDb, dbFile, SCHEMAS } from '../helpers/db-fixtures.js';
import { makeContext } from '../helpers/run-context.js';
import { makeTempDir, settingsFor } from '../helpers/temp-root.js';

function detect(category: RowCategory, ddl: string[], config?: TableConfig) {
  const root = makeTempDir();
  createDashboardDb(root, ...ddl);
  const db = openDashboardDb(settingsFor(root), { readonly: true });
  if (!db) throw new Error('fixture database missing');
  try {
    return detectTable(db, ROW_SPECS[category], config);
  } finally {
    closeQuietly(db);
  }
}

describe('schema detection', () => {
  it.each([
    ['tasks', [SCHEMAS.taskQueue], { table: 'task_queue', condition: { kind: 'finished-status', column: 'status' }, ageColumn: 'completed_at' }],
    ['tasks', [SCHEMAS.tasksState], { table: 'tasks', condition: { kind: 'finished-status', column: 'state' }, ageColumn: 'finished_at' }],
    ['tasks', [SCHEMAS.tasksUpdated], { table: 'tasks', condition: { kind: 'finished-status', column: 'status' }, ageColumn: 'updated_at' }],
    ['tasks', [SCHEMAS.tasksState, SCHEMAS.taskQueue], { table: 'task_queue', condition: { kind: 'finished-status', column: 'status' }, ageColumn: 'completed_at' }],
    ['errors', [SCHEMAS.errorsResolved], { table: 'errors', condition: { kind: 'resolved-flag', column: 'resolved' }, ageColumn: 'resolved_at' }],
    ['errors', [SCHEMAS.errorLogStatus], { table: 'error_log', condition: { kind: 'resolved-status', column: 'status' }, ageColumn: 'updated_at' }],
    ['errors', [SCHEMAS.errorLogsResolved], { table: 'error_logs', condition: { kind: 'resolved-flag', column: 'resolved' }, ageColumn: 'created_at' }],
    ['errors', ['CREATE TABLE errors (id INTEGER PRIMARY KEY, resolved INTEGER, status TEXT, created_at TEXT)'], { table: 'errors', condition: { kind: 'resolved-flag', column: 'resolved' }, ageColumn: 'created_at' }],
    ['prompts', [SCHEMAS.assignerPrompts], { table: 'assigner_prompts', condition: null, ageColumn: 'created_at' }],
    ['prompts', [SCHEMAS.prompts], { table: 'prompts', condition: null, ageColumn: 'updated_at' }],
    ['tasks', ['CREATE TABLE Task_Queue (ID INTEGER PRIMARY KEY, Status TEXT, Finished_At TEXT)'], { table: 'Task_Queue', condition: { kind: 'finished-status', column: 'Status' }, ageColumn: 'Finished_At' }],
  ] as const)('%s in %j', (category, ddl, expected) => {
    expect(detect(category, [...ddl])).toEqual({ ok: true, table: { category, rowidName: 'rowid', references: [], ...expected } });
  });

  it('uses the table and columns the config names', () => {
    const ddl = 'CREATE TABLE jobs (id INTEGER PRIMARY KEY, status TEXT, phase TEXT, done_at TEXT, updated_at TEXT)';
    expect(detect('tasks', [ddl], { table: 'jobs', status_column: 'phase', age_column: 'done_at' })).toEqual({
      ok: true,
      table: { category: 'tasks', table: 'jobs', condition: { kind: 'finished-status', column: 'phase' }, ageColumn: 'done_at', rowidName: 'rowid', references: [] },
    });
  });

  it('detects the columns the config leaves unnamed', () => {
    const ddl = 'CREATE TABLE jobs (id INTEGER PRIMARY KEY, state TEXT, finished_at TEXT)';
    expect(detect('tasks', [ddl], { table: 'jobs' })).toMatchObject({
      ok: true,
      table: { condition: { column: 'state' }, ageColumn: 'finished_at' },
    });
  });

  it('uses config resolved_column and status_column for errors', () => {
    const ddl = 'CREATE TABLE faults (id INTEGER PRIMARY KEY, is_fixed INTEGER, outcome TEXT, created_at TEXT)';
    expect(detect('errors', [ddl], { table: 'faults', resolved_column: 'is_fixed' })).toMatchObject({
      ok: true,
      table: { condition: { kind: 'resolved-flag', column: 'is_fixed' } },
    });
    expect(detect('errors', [ddl], { table: 'faults', status_column: 'outcome' })).toMatchObject({
      ok: true,
      table: { condition: { kind: 'resolved-status', column: 'outcome' } },
    });
  });

  it.each([
    ['tasks', [SCHEMAS.errorsResolved], undefined, 'tasks: no table found (looked for task_queue, tasks); tasks skipped'],
    ['tasks', ['CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT, created_at TEXT)'], undefined, 'tasks: table tasks has none of the columns status, state; tasks skipped'],
    ['errors', ['CREATE TABLE errors (id INTEGER PRIMARY KEY, resolved INTEGER)'], undefined, 'errors: table errors has none of the age columns resolved_at, updated_at, created_at; errors skipped'],
    ['tasks', [SCHEMAS.taskQueue], { table: 'jobs' }, 'tasks: table jobs (config tables.tasks.table) not found; tasks skipped'],
    ['tasks', [SCHEMAS.taskQueue], { table: 'task_queue', status_column: 'phase' }, 'tasks: table task_queue has none of the columns phase; tasks skipped'],
    ['tasks', [SCHEMAS.taskQueue], { table: 'task_queue', age_column: 'done_at' }, 'tasks: table task_queue has none of the age columns done_at; tasks skipped'],
    ['prompts', ['CREATE TABLE prompts (id INTEGER PRIMARY KEY, created_at TEXT) WITHOUT ROWID'], undefined, 'prompts: table prompts is a WITHOUT ROWID table, which cannot be cleaned row by row; prompts skipped'],
  ] as const)('%s: warns when %j does not fit', (category, ddl, config, warning) => {
    expect(detect(category, [...ddl], config)).toEqual({ ok: false, warning });
  });
});

describe('a missing or broken dashboard database', () => {
  it('warns once per category, never creates the file, and the run goes on', async () => {
    const root = makeTempDir();
    const settings = settingsFor(root);
    for (const dryRun of [true, false]) {
      const { ctx, out } = makeContext(settings, { dryRun });
      for (const h of [tasksHandler, errorsHandler, promptsHandler]) await h.run(ctx);
      expect(out.warnings).toEqual([
        'database architect.db not found; tasks skipped',
        'database architect.db not found; errors skipped',
        'database architect.db not found; prompts skipped',
      ]);
      expect(out.items).toEqual([]);
      expect(out.errors).toEqual([]);
    }
    expect(existsSync(dbFile(root))).toBe(false);
    expect(existsSync(path.join(root, 'archive'))).toBe(false);
  });

  it('names the configured database file in the warning', async () => {
    const root = makeTempDir();
    const config = path.join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ paths: { database: 'db/dash.sqlite' } }));
    const { ctx, out } = makeContext(settingsFor(root, {}, config));
    await tasksHandler.run(ctx);
    expect(out.warnings).toEqual(['database dash.sqlite not found; tasks skipped']);
    expect(existsSync(path.join(root, 'db'))).toBe(false);
  });

  it('reports a corrupt database as one error per category and does not throw', async () => {
    const root = makeTempDir();
    writeFileSync(dbFile(root), 'this is not a database, just text that is long enough to look like a header');
    const { ctx, out } = makeContext(settingsFor(root));
    for (const h of [tasksHandler, errorsHandler, promptsHandler]) await h.run(ctx);
    expect(out.errors.map((e) => [e.category, e.target])).toEqual([
      ['tasks', 'architect.db'],
      ['errors', 'architect.db'],
      ['prompts', 'architect.db'],
    ]);
    expect(out.errors[0]?.message).toMatch(/^tasks: .*not a database/);
  });

  it('a missing table skips only that category', async () => {
    const root = makeTempDir();
    createDashboardDb(root, SCHEMAS.errorLogStatus);
    const { ctx, out } = makeContext(settingsFor(root));
    for (const h of [tasksHandler, errorsHandler, promptsHandler]) await h.run(ctx);
    expect(out.warnings).toEqual([
      'tasks: no table found (looked for task_queue, tasks); tasks skipped',
      'prompts: no table found (looked for assigner_prompts, prompts); prompts skipped',
    ]);
    expect(out.errors).toEqual([]);
  });
});
