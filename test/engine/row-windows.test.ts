/**
 * The rowid windows of the database categories (row-windows.ts, row-executor.ts): rows are found
 * and removed exactly wherever their rowids lie in 64 bits (negative, past 2^53, the largest
 * rowid, far apart), in the real run and the dry run alike, and named exactly in the history.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptsHandler } from '../../src/engine/categories/prompts.js';
import { tasksHandler } from '../../src/engine/categories/tasks.js';
import { BATCH_SIZE } from '../../src/engine/db/row-cleanup.js';
import { archivedRows, createDashboardDb, daysAgo, fmt, insertRows, type Row, SCHEMAS, selectRows } from '../helpers/db-fixtures.js';
import { makeContext } from '../helpers/run-context.js';
import { makeTempDir, settingsFor } from '../helpers/temp-root.js';

const FAR = [-(2n ** 63n), -5n, 1n, 2n ** 53n + 1n, 2n ** 62n, 2n ** 63n - 1n];

describe('row windows', () => {
  it('removes old tasks wherever their rowids lie, keeps the new ones between them, names each exactly', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, SCHEMAS.taskQueue);
    const rows: Row[] = FAR.flatMap((id, i) => [
      { id, title: 'old', status: 'completed', completed_at: fmt.sqlite(daysAgo(9 + i)) },
      ...(id < 2n ** 63n - 1n ? [{ id: id + 1n, title: 'new', status: 'completed', completed_at: fmt.sqlite(daysAgo(1)) }] : []),
    ]);
    insertRows(file, 'task_queue', rows);
    const settings = settingsFor(root);

    const dry = makeContext(settings, { dryRun: true });
    await tasksHandler.run(dry.ctx);
    const real = makeContext(settings);
    await tasksHandler.run(real.ctx);

    const expected = FAR.map((id) => `architect.db:task_queue#${id}`);
    expect(real.out.items.map((i) => i.target)).toEqual(expected);
    expect(dry.out.items).toEqual(real.out.items);
    expect(selectRows(file, 'task_queue').map((r) => r.title)).toEqual(rows.filter((r) => r.title === 'new').map(() => 'new'));
  });

  it('removes every old row of a sparse table (rowids far apart) in windows of at most BATCH_SIZE rows', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, SCHEMAS.taskQueue);
    const rows: Row[] = Array.from({ length: BATCH_SIZE + 10 }, (_, i) => ({
      id: i * 1_000_003 + (i % 3),
      status: 'cancelled',
      completed_at: i % 2 ? fmt.unixS(daysAgo(10)) : fmt.isoZ(daysAgo(3)),
    }));
    insertRows(file, 'task_queue', rows);
    const { ctx, out } = makeContext(settingsFor(root));
    await tasksHandler.run(ctx);
    expect(out.items.map((i) => i.target)).toEqual(rows.filter((_, i) => i % 2).map((r) => `architect.db:task_queue#${r.id}`));
    expect(selectRows(file, 'task_queue').map((r) => Number(r.rowid))).toEqual(rows.filter((_, i) => !(i % 2)).map((r) => r.id));
  });

  it('archives prompts whose rowids are far apart and past 2^53, each once, exactly', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, SCHEMAS.assignerPrompts);
    const ids = [3n, 4_000_000_000n, 2n ** 53n + 3n, 2n ** 63n - 1n];
    insertRows(
      file,
      'assigner_prompts',
      ids.map((id) => ({ id, prompt: `p${id}`, score: 0.5, payload: Buffer.from([1, 2]), created_at: fmt.isoZ(daysAgo(20)) })),
    );
    const before = selectRows(file, 'assigner_prompts');
    const { ctx, out } = makeContext(settingsFor(root));
    await promptsHandler.run(ctx);
    expect(out.items.map((i) => i.target)).toEqual(ids.map((id) => `architect.db:assigner_prompts#${id}`));
    expect(selectRows(file, 'assigner_prompts')).toEqual([]);
    expect(archivedRows(path.join(root, 'archive', 'prompts.db'), 'assigner_prompts')).toEqual(before);
  });
});
