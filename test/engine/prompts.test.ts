import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { promptsHandler } from '../../src/engine/categories/prompts.js';
import { BATCH_SIZE } from '../../src/engine/db/row-cleanup.js';
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
import { makeTempDir, NOW, settingsFor } from '../helpers/temp-root.js';

const prompt = (id: number, createdAt: unknown): Row => ({
  id,
  prompt: `prompt ${id}`,
  score: id + 0.25,
  payload: Buffer.from([id % 256, 0, 255]),
  created_at: createdAt,
});

function promptsRoot(rows: readonly Row[]) {
  const root = makeTempDir();
  const file = createDashboardDb(root, SCHEMAS.assignerPrompts);
  insertRows(file, 'assigner_prompts', rows);
  const archive = path.join(root, 'archive', 'prompts.db');
  return { root, file, archive, settings: settingsFor(root) };
}

/** Writes rows into archive/prompts.db as an earlier, interrupted run would have. */
function prefillArchive(archive: string, ddl: string, rows: readonly Row[]) {
  mkdirSync(path.dirname(archive), { recursive: true });
  const db = new Database(archive);
  db.exec(ddl);
  db.close();
  insertRows(archive, 'assigner_prompts', rows);
}

describe('prompts', () => {
  it('moves prompts created more than 14 days ago into archive/prompts.db, values intact', async () => {
    const rows = [prompt(1, fmt.isoZ(daysAgo(20))), prompt(2, fmt.isoZ(daysAgo(14))), prompt(3, fmt.sqlite(daysAgo(15))), prompt(4, null)];
    const { file, archive, settings } = promptsRoot(rows);
    const before = selectRows(file, 'assigner_prompts');
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.errors).toEqual([]);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([2, 4]);
    expect(archivedRows(archive, 'assigner_prompts')).toEqual([before[0], before[2]]);
    expect(out.items).toEqual([
      { category: 'prompts', target: 'architect.db:assigner_prompts#1', bytes: 0, action: 'archive', reason: 'created 20 days ago, limit 14 days' },
      { category: 'prompts', target: 'architect.db:assigner_prompts#3', bytes: 0, action: 'archive', reason: 'created 15 days ago, limit 14 days' },
    ]);
    expect(out.warnings).toEqual(['prompts: 1 row in assigner_prompts kept because created_at cannot be read']);
  });

  it('creates no archive in a dry run, and reports what the real run then archives', async () => {
    const { file, archive, settings } = promptsRoot([prompt(1, fmt.isoZ(daysAgo(20))), prompt(2, fmt.isoZ(daysAgo(1)))]);
    const before = selectRows(file, 'assigner_prompts');
    const dry = makeContext(settings, { dryRun: true });
    await promptsHandler.run(dry.ctx);
    expect(existsSync(path.dirname(archive))).toBe(false);
    expect(selectRows(file, 'assigner_prompts')).toEqual(before);
    const real = makeContext(settings);
    await promptsHandler.run(real.ctx);
    expect(real.out.items).toEqual(dry.out.items);
    expect(real.out.items.map((i) => i.target)).toEqual(['architect.db:assigner_prompts#1']);
  });

  it('creates no archive when no prompt is old enough', async () => {
    const { archive, settings } = promptsRoot([prompt(1, fmt.isoZ(daysAgo(3))), prompt(2, null)]);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.items).toEqual([]);
    expect(existsSync(path.dirname(archive))).toBe(false);
  });

  it('completes a move interrupted after the copy, leaving each row exactly once', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => prompt(i + 1, fmt.isoZ(daysAgo(20 + i))));
    const { file, archive, settings } = promptsRoot(rows);
    const before = selectRows(file, 'assigner_prompts');
    // An earlier run (of the code before the archive's bookkeeping columns) copied rows 1-6,
    // keyed by their rowid, and deleted rows 1-3 from the source before it died.
    prefillArchive(archive, OLD_ARCHIVE_DDL, rows.slice(0, 6).map((r) => ({ rowid: r.id, ...r })));
    execSql(file, 'DELETE FROM assigner_prompts WHERE id <= 3');

    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    expect(archivedRows(archive, 'assigner_prompts')).toEqual(before);
    expect(out.items.map((i) => i.target)).toEqual(rows.slice(3).map((r) => `architect.db:assigner_prompts#${r.id}`));
    expect(out.skipped).toEqual([]);
    expect(out.warnings).toEqual([]);
  });

  it('archives a prompt that reuses the rowid of an archived one, beside it (issue 10 item 5)', async () => {
    const { file, archive, settings } = promptsRoot([prompt(1, fmt.isoZ(daysAgo(20))), prompt(2, fmt.isoZ(daysAgo(20)))]);
    const older = { ...prompt(1, fmt.isoZ(daysAgo(400))), prompt: 'an older prompt that had rowid 1' };
    prefillArchive(archive, OLD_ARCHIVE_DDL, [{ rowid: 1, ...older }]);
    const before = selectRows(file, 'assigner_prompts');
    const dry = makeContext(settings, { dryRun: true });
    await promptsHandler.run(dry.ctx);
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    expect(archivedRows(archive, 'assigner_prompts')).toEqual([{ rowid: 1, ...older }, ...before]);
    expect(out.skipped).toEqual([]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:assigner_prompts#1', 'architect.db:assigner_prompts#2']);
    expect(out.items).toEqual(dry.out.items);
  });

  it('adds columns the source gained since the archive table was created', async () => {
    const { file, archive, settings } = promptsRoot([prompt(1, fmt.isoZ(daysAgo(20)))]);
    prefillArchive(archive, 'CREATE TABLE assigner_prompts (id INTEGER, prompt TEXT, created_at TEXT)', []);
    const before = selectRows(file, 'assigner_prompts');
    const { ctx } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([]);
    expect(archivedRows(archive, 'assigner_prompts')).toEqual(before);
  });

  it('keeps a prompt touched between planning and archiving', async () => {
    const { file, archive, settings } = promptsRoot([prompt(1, fmt.isoZ(daysAgo(20))), prompt(2, fmt.isoZ(daysAgo(20)))]);
    const { ctx, out } = makeContext(settings, {
      beforeExecute: () => execSql(file, 'UPDATE assigner_prompts SET created_at = ? WHERE id = 2', fmt.isoZ(NOW)),
    });
    await promptsHandler.run(ctx);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([2]);
    expect(rowidsOf(archive, 'assigner_prompts')).toEqual([1]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['changed since it was planned']);
  });

  it('archives a table bigger than one batch, each row exactly once', async () => {
    const n = 2 * BATCH_SIZE + 345;
    const rows = Array.from({ length: n }, (_, i) => prompt(i + 1, fmt.unixS(i % 4 === 0 ? daysAgo(2) : daysAgo(30))));
    const { file, archive, settings } = promptsRoot(rows);
    const before = selectRows(file, 'assigner_prompts');
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    const kept = selectRows(file, 'assigner_prompts');
    const archived = archivedRows(archive, 'assigner_prompts');
    expect(kept.map((r) => r.id)).toEqual(rows.filter((_, i) => i % 4 === 0).map((r) => r.id));
    expect([...kept, ...archived].sort((a, b) => Number(a.rowid) - Number(b.rowid))).toEqual(before);
    expect(out.items).toHaveLength(archived.length);
  });

  it('archives from a WAL-mode dashboard and leaves its journal mode alone', async () => {
    const { file, archive, settings } = promptsRoot([prompt(1, fmt.isoZ(daysAgo(20))), prompt(2, fmt.isoZ(daysAgo(2)))]);
    execSql(file, 'PRAGMA journal_mode = wal');
    const { ctx, out } = makeContext(settings);
    await promptsHandler.run(ctx);
    expect(out.errors).toEqual([]);
    expect(rowidsOf(file, 'assigner_prompts')).toEqual([2]);
    expect(rowidsOf(archive, 'assigner_prompts')).toEqual([1]);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('archives the older `prompts` table (no integer key, unix-second updated_at)', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, SCHEMAS.prompts);
    insertRows(file, 'prompts', [
      { prompt: 'old', updated_at: fmt.unixS(daysAgo(15)) },
      { prompt: 'new', updated_at: fmt.unixS(daysAgo(13)) },
    ]);
    const { ctx, out } = makeContext(settingsFor(root));
    await promptsHandler.run(ctx);
    expect(selectRows(file, 'prompts')).toEqual([{ rowid: 2, prompt: 'new', updated_at: fmt.unixS(daysAgo(13)) }]);
    expect(archivedRows(path.join(root, 'archive', 'prompts.db'), 'prompts')).toEqual([
      { rowid: 1, prompt: 'old', updated_at: fmt.unixS(daysAgo(15)) },
    ]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:prompts#1']);
  });
});
