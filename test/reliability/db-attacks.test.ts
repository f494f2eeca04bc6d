/**
 * Issue 10, database half: links where the service opens SQLite files (SPEC 3.5), archive
 * failures that name the archive, and the schema shapes a reviewer would try (views and virtual
 * tables named like a category table, generated columns, a column named rowid, odd names, an
 * archive table with a trigger, a live WAL writer). Each attack runs real SQLite files in temp
 * roots; outside files are fingerprinted byte for byte.
 */
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RunOverrides } from '../../src/config/schema.js';
import type { Settings } from '../../src/config/settings.js';
import { promptsHandler } from '../../src/engine/categories/prompts.js';
import { tasksHandler } from '../../src/engine/categories/tasks.js';
import { createEngine } from '../../src/engine/engine.js';
import type { RunResult } from '../../src/engine/types.js';
import { openStateStore } from '../../src/store/state-store.js';
import { cliEnv, runCli } from '../cli/cli-helpers.js';
import { archivedRows, createDashboardDb, daysAgo, fmt, insertRows, type Row, rowidsOf, SCHEMAS, selectRows } from '../helpers/db-fixtures.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { makeContext } from '../helpers/run-context.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';
import { CLI, fingerprint, sqliteChild } from './helpers.js';

const OLD = fmt.isoZ(daysAgo(60));
const AGGRESSIVE: RunOverrides = { task_age_days: 1, error_age_days: 1, prompt_age_days: 1, log_age_days: 1 };

/** A dashboard database at `file` with old tasks, errors, prompts and an activity log. */
function fillDashboard(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.exec([SCHEMAS.taskQueue, SCHEMAS.errorsResolved, SCHEMAS.assignerPrompts, SCHEMAS.activityLog].join(';'));
  db.close();
  insertRows(file, 'task_queue', [{ title: 'old', status: 'completed', completed_at: OLD }]);
  insertRows(file, 'errors', [{ message: 'old', resolved: 1, resolved_at: OLD }]);
  insertRows(file, 'assigner_prompts', [{ prompt: 'old prompt', created_at: OLD }]);
}

async function runEngine(settings: Settings, dryRun = false): Promise<RunResult> {
  const store = openStateStore(settings);
  try {
    const engine = createEngine({ settings, store, logger: pino({ level: 'silent' }) });
    return await engine.runOnce({ trigger: 'api', dryRun, overrides: AGGRESSIVE, now: NOW });
  } finally {
    store.close();
  }
}

const dbErrors = (r: RunResult) => r.errors.filter((e) => ['tasks', 'errors', 'prompts'].includes(e.category));

describe('links where the dashboard database is opened (issue 10 item 3)', () => {
  it('architect.db itself a link to a database outside the root: refused for every row category and the activity log; files still cleaned; partial', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    fillDashboard(path.join(outside, 'architect.db'));
    const before = fingerprint(outside);
    symlinkSync(path.join(outside, 'architect.db'), path.join(root, 'architect.db'));
    writeFileAt(root, 'logs/old.log', NOW - 90 * DAY);
    const r = await runEngine(settingsFor(root));
    expect(fingerprint(outside)).toEqual(before);
    expect(r.status).toBe('partial');
    expect(dbErrors(r).map((e) => [e.category, e.target])).toEqual([
      ['tasks', 'architect.db'],
      ['errors', 'architect.db'],
      ['prompts', 'architect.db'],
    ]);
    for (const e of dbErrors(r)) expect(e.message).toMatch(/^(tasks|errors|prompts): architect\.db: .*architect\.db is a symbolic link; links are never followed/);
    expect(r.warnings.some((w) => /^activity log in architect\.db not written: .*is a symbolic link/.test(w))).toBe(true);
    expect(r.items.map((i) => i.target)).toEqual(['logs/old.log']);
    expect(existsSync(path.join(root, 'archive'))).toBe(false);
  });

  it('a folder on the way to the database a link (paths.database = data/architect.db): refused, the outside database untouched', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    fillDashboard(path.join(outside, 'architect.db'));
    const before = fingerprint(outside);
    symlinkSync(outside, path.join(root, 'data'));
    const settings = settingsFor(root, {}, writeConfig({ paths: { database: 'data/architect.db' } }));
    const r = await runEngine(settings);
    expect(fingerprint(outside)).toEqual(before);
    expect(dbErrors(r)).toHaveLength(3);
    for (const e of dbErrors(r)) expect(e.message).toContain(`${path.join(root, 'data')} is a symbolic link`);
  });

  it.each(['-journal', '-wal'])('architect.db%s a link SQLite would write through: refused, the link target untouched', async (suffix) => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    fillDashboard(path.join(root, 'architect.db'));
    writeFileSync(path.join(outside, 'precious'), 'do not overwrite');
    const before = fingerprint(outside);
    const rows = selectRows(path.join(root, 'architect.db'), 'task_queue');
    symlinkSync(path.join(outside, 'precious'), path.join(root, `architect.db${suffix}`));
    const { ctx, out } = makeContext(settingsFor(root));
    await tasksHandler.run(ctx);
    expect(fingerprint(outside)).toEqual(before);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]?.message).toContain(`architect.db${suffix} is a symbolic link; SQLite would write through it`);
    expect(lstatSync(path.join(root, `architect.db${suffix}`)).isSymbolicLink()).toBe(true);
    // Opening the database with the link in place would have SQLite read it as its own journal.
    unlinkSync(path.join(root, `architect.db${suffix}`));
    expect(selectRows(path.join(root, 'architect.db'), 'task_queue')).toEqual(rows);
  });

  it('the CLI exits 1 when architect.db is a link, and still cleans the files', async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} missing: run npm run build first`);
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    fillDashboard(path.join(outside, 'architect.db'));
    const before = fingerprint(outside);
    symlinkSync(path.join(outside, 'architect.db'), path.join(root, 'architect.db'));
    writeFileAt(root, 'logs/old.log', Date.now() - 90 * DAY);
    const r = await runCli(['--root', root, '--force', '--days', '1'], { env: cliEnv() });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('is a symbolic link');
    expect(fingerprint(outside)).toEqual(before);
    expect(existsSync(path.join(root, 'logs/old.log'))).toBe(false);
  });
});

describe('links and failures of the archive (issue 10 items 3 and 10)', () => {
  function promptsRoot() {
    const root = makeTempDir();
    const file = path.join(root, 'architect.db');
    fillDashboard(file);
    return { root, file, before: selectRows(file, 'assigner_prompts'), settings: settingsFor(root) };
  }

  it('archive/ a link to an outside folder: prompts fails naming the archive, in the dry run too; nothing written outside; tasks still cleaned', async () => {
    const { root, file, before, settings } = promptsRoot();
    const outside = makeTempDir('cw-outside-');
    symlinkSync(outside, path.join(root, 'archive'));
    for (const dryRun of [true, false]) {
      const r = await runEngine(settings, dryRun);
      expect(r.errors).toEqual([
        {
          category: 'prompts',
          target: 'archive/prompts.db',
          message: `prompts: archive/prompts.db: ${path.join(root, 'archive')} is a symbolic link; links are never followed where the service reads or writes (replace it with a real folder, or change the path in the config)`,
        },
      ]);
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(selectRows(file, 'assigner_prompts')).toEqual(before);
    expect(rowidsOf(file, 'task_queue')).toEqual([]);
  });

  it('archive/prompts.db a link to an outside database: refused, that database untouched', async () => {
    const { root, file, before, settings } = promptsRoot();
    const outside = makeTempDir('cw-outside-');
    createDashboardDb(outside, SCHEMAS.assignerPrompts);
    const fp = fingerprint(outside);
    mkdirSync(path.join(root, 'archive'));
    symlinkSync(path.join(outside, 'architect.db'), path.join(root, 'archive', 'prompts.db'));
    const { ctx, out } = makeContext(settings, { overrides: AGGRESSIVE });
    await promptsHandler.run(ctx);
    expect(out.errors.map((e) => e.target)).toEqual(['archive/prompts.db']);
    expect(out.errors[0]?.message).toContain('prompts.db is a symbolic link');
    expect(fingerprint(outside)).toEqual(fp);
    expect(selectRows(file, 'assigner_prompts')).toEqual(before);
  });

  it('archive/prompts.db-wal a link: refused before SQLite opens the archive, the link target untouched', async () => {
    const { root, file, before, settings } = promptsRoot();
    const outside = makeTempDir('cw-outside-');
    writeFileSync(path.join(outside, 'precious'), 'do not overwrite');
    const fp = fingerprint(outside);
    mkdirSync(path.join(root, 'archive'));
    symlinkSync(path.join(outside, 'precious'), path.join(root, 'archive', 'prompts.db-wal'));
    const { ctx, out } = makeContext(settings, { overrides: AGGRESSIVE });
    await promptsHandler.run(ctx);
    expect(out.errors.map((e) => e.target)).toEqual(['archive/prompts.db']);
    expect(out.errors[0]?.message).toContain('prompts.db-wal is a symbolic link; SQLite would write through it');
    expect(fingerprint(outside)).toEqual(fp);
    expect(selectRows(file, 'assigner_prompts')).toEqual(before);
  });

  it('archive/prompts.db a hard link to architect.db itself: refused, no copy into the dashboard', async () => {
    const { root, file, settings } = promptsRoot();
    mkdirSync(path.join(root, 'archive'));
    linkSync(file, path.join(root, 'archive', 'prompts.db'));
    const before = { prompts: selectRows(file, 'assigner_prompts'), tables: tablesOf(file) };
    const { ctx, out } = makeContext(settings, { overrides: AGGRESSIVE });
    await promptsHandler.run(ctx);
    expect(out.errors.map((e) => e.message)).toEqual([
      `prompts: archive/prompts.db: ${path.join(root, 'archive', 'prompts.db')} is the dashboard's database itself; set paths.archive to a folder of its own`,
    ]);
    expect({ prompts: selectRows(file, 'assigner_prompts'), tables: tablesOf(file) }).toEqual(before);
  });

  it('a corrupt archive is blamed on archive/prompts.db, not architect.db', async () => {
    const { root, file, before, settings } = promptsRoot();
    writeFileAt(root, 'archive/prompts.db', Date.now(), 'this is not a database, it is a text file long enough to have a header');
    const { ctx, out } = makeContext(settings, { overrides: AGGRESSIVE });
    await promptsHandler.run(ctx);
    expect(out.errors).toEqual([{ category: 'prompts', target: 'archive/prompts.db', message: 'prompts: archive/prompts.db: file is not a database' }]);
    expect(selectRows(file, 'assigner_prompts')).toEqual(before);
  });
});

function tablesOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const names = db.prepare(`SELECT name FROM sqlite_master ORDER BY name`).pluck().all() as string[];
  db.close();
  return names;
}

/** A root with `ddl` and rows; settings optionally from a config file. */
function schemaRoot(ddl: string[], rows: Record<string, Row[]>, config?: object) {
  const root = makeTempDir();
  const file = createDashboardDb(root, ...ddl);
  for (const [t, list] of Object.entries(rows)) insertRows(file, t, list);
  const settings = settingsFor(root, {}, config ? writeConfig(config) : undefined);
  return { root, file, settings, archive: path.join(root, 'archive', 'prompts.db') };
}

describe('schemas a reviewer would try (issue 10, hunt)', () => {
  it('a view named task_queue is passed over for the real tasks table; a view alone is named in the warning', async () => {
    const base = 'CREATE TABLE tasks (id INTEGER PRIMARY KEY, status TEXT, updated_at TEXT)';
    const view = 'CREATE VIEW task_queue AS SELECT id, status, updated_at AS completed_at FROM tasks';
    const a = schemaRoot([base, view], { tasks: [{ id: 1, status: 'completed', updated_at: OLD }] });
    const ra = makeContext(a.settings);
    await tasksHandler.run(ra.ctx);
    expect(ra.out.items.map((i) => i.target)).toEqual(['architect.db:tasks#1']);

    const b = schemaRoot(['CREATE TABLE jobs (id INTEGER PRIMARY KEY, status TEXT, updated_at TEXT)', 'CREATE VIEW tasks AS SELECT * FROM jobs'], {
      jobs: [{ id: 1, status: 'completed', updated_at: OLD }],
    });
    const rb = makeContext(b.settings);
    await tasksHandler.run(rb.ctx);
    expect(rb.out.warnings).toEqual(['tasks: no table found (looked for task_queue, tasks); tasks is a view, not a table; tasks skipped']);
    expect(rowidsOf(b.file, 'jobs')).toEqual([1]);
  });

  it('a virtual (FTS5) table named prompts is not archived from or deleted from', async () => {
    const { file, archive, settings } = schemaRoot(['CREATE VIRTUAL TABLE prompts USING fts5(prompt, updated_at)'], {});
    insertRows(file, 'prompts', [{ prompt: 'searchable', updated_at: fmt.unixS(daysAgo(60)) }]);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.warnings).toEqual(['prompts: no table found (looked for assigner_prompts, prompts); prompts is a virtual table, not an ordinary one; prompts skipped']);
    expect(selectRows(file, 'prompts').map((r) => r.prompt)).toEqual(['searchable']);
    expect(existsSync(archive)).toBe(false);
  });

  it('only the dashboard database is searched: an archive table named like the category is never the source', async () => {
    const { root, file, settings } = schemaRoot([SCHEMAS.taskQueue], {});
    const archive = path.join(root, 'archive', 'prompts.db');
    mkdirSync(path.dirname(archive));
    new Database(archive).exec(SCHEMAS.assignerPrompts).close();
    insertRows(archive, 'assigner_prompts', [{ prompt: 'archived long ago', created_at: OLD }]);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.warnings).toEqual(['prompts: no table found (looked for assigner_prompts, prompts); prompts skipped']);
    expect(selectRows(archive, 'assigner_prompts').map((r) => r.prompt)).toEqual(['archived long ago']);
    expect(rowidsOf(file, 'task_queue')).toEqual([]);
  });

  it('generated columns: their values are archived as the source shows them, and a generated age column is read', async () => {
    const ddl = `CREATE TABLE assigner_prompts (id INTEGER PRIMARY KEY, prompt TEXT, meta TEXT,
      created_at TEXT GENERATED ALWAYS AS (json_extract(meta, '$.at')) VIRTUAL,
      plen INTEGER GENERATED ALWAYS AS (length(prompt)) STORED)`;
    const { file, archive, settings } = schemaRoot([ddl], {
      assigner_prompts: [
        { id: 1, prompt: 'old one', meta: JSON.stringify({ at: OLD }) },
        { id: 2, prompt: 'new', meta: JSON.stringify({ at: fmt.isoZ(daysAgo(1)) }) },
      ],
    });
    const before = selectGenerated(file);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.errors).toEqual([]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:assigner_prompts#1']);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([2]);
    expect(archivedRows(archive, 'assigner_prompts')).toEqual([before[0]]);
  });

  it('a column named rowid does not hide the real rowid: the right rows go, reported by their rowid', async () => {
    const ddl = 'CREATE TABLE tasks ("rowid" TEXT, status TEXT, updated_at TEXT)';
    const { file, settings } = schemaRoot([ddl], {
      tasks: [
        { rowid: 'b', status: 'completed', updated_at: OLD },
        { rowid: 'a', status: 'pending', updated_at: OLD },
        { rowid: 'c', status: 'completed', updated_at: fmt.isoZ(daysAgo(1)) },
      ],
    });
    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);
    expect(out.errors).toEqual([]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:tasks#1']);
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT _rowid_ AS id, "rowid" AS name FROM tasks ORDER BY _rowid_').all()).toEqual([
      { id: 2, name: 'a' },
      { id: 3, name: 'c' },
    ]);
    db.close();
  });

  it('tables and columns with quotes, spaces and non-ASCII letters in their names', async () => {
    const notes = 'CREATE TABLE "my ""notes"" ✓" ("task id" INTEGER REFERENCES "Task_Queue" ("id") ON DELETE CASCADE, "é" TEXT)';
    const { file, settings } = schemaRoot([SCHEMAS.taskQueue, notes], {
      task_queue: [1, 2].map((id) => ({ id, status: 'completed', completed_at: OLD })),
      'my ""notes"" ✓': [{ 'task id': 2, é: 'kept' }],
    });
    const { ctx, out } = makeContext(settings);
    await tasksHandler.run(ctx);
    expect(out.skipped).toEqual([{ category: 'tasks', target: 'architect.db:task_queue#2', reason: 'referenced by my "notes" ✓' }]);
    expect(rowidsOf(file, 'task_queue')).toEqual([2]);
    expect(rowidsOf(file, 'my ""notes"" ✓')).toEqual([1]);
  });

  it('an archive table with an INSERT trigger (one that drops every copy) is not written to: prompts are archived into the next version', async () => {
    const { root, file, archive, settings } = schemaRoot([SCHEMAS.assignerPrompts], { assigner_prompts: [{ id: 1, prompt: 'p', created_at: OLD }] });
    mkdirSync(path.join(root, 'archive'));
    new Database(archive)
      .exec(`CREATE TABLE assigner_prompts (id INTEGER, prompt TEXT, score REAL, payload BLOB, created_at TEXT);
             CREATE TRIGGER swallow BEFORE INSERT ON assigner_prompts BEGIN SELECT RAISE(IGNORE); END`)
      .close();
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.skipped).toEqual([]);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    expect(archivedRows(archive, 'assigner_prompts_v2').map((r) => r.prompt)).toEqual(['p']);
    expect(out.warnings).toEqual([
      'prompts: archive/prompts.db: assigner_prompts is not used because it has the trigger swallow; archiving into assigner_prompts_v2',
    ]);
  });

  it('WAL mode with a live writer: every row it writes during the run survives, every old finished task goes', async () => {
    const { file, settings } = schemaRoot([SCHEMAS.taskQueue], {});
    new Database(file).pragma('journal_mode = WAL');
    const n = 6000;
    insertRows(file, 'task_queue', Array.from({ length: n }, (_, i) => ({ id: i + 1, title: 'old', status: 'completed', completed_at: OLD })));
    const writer = await sqliteChild(
      file,
      `const db = new Database(FILE); db.pragma('busy_timeout = 5000');
       const ins = db.prepare("INSERT INTO task_queue (title, status, completed_at) VALUES ('live', ?, ?)");
       let i = 0; console.log('ready');
       const end = Date.now() + 1500;
       while (Date.now() < end) { ins.run(i % 2 ? 'completed' : 'pending', new Date().toISOString()); i++; }
       console.log('wrote ' + i);`,
    );
    const { ctx, out } = makeContext(settings, { now: Date.now() });
    await tasksHandler.run(ctx);
    const wrote = Number((await writer.done).match(/wrote (\d+)/)?.[1]);
    expect(out.errors).toEqual([]);
    expect(out.items).toHaveLength(n);
    const left = selectRows(file, 'task_queue');
    expect(left.every((r) => r.title === 'live')).toBe(true);
    expect(left).toHaveLength(wrote);
  });
});

function selectGenerated(file: string): Row[] {
  const db = new Database(file, { readonly: true });
  const rows = db.prepare('SELECT rowid AS rowid, id, prompt, meta, created_at, plen FROM assigner_prompts ORDER BY rowid').all() as Row[];
  db.close();
  return rows;
}
