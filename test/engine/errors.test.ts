import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorsHandler } from '../../src/engine/categories/errors.js';
import { createDashboardDb, daysAgo, execSql, fmt, insertRows, type Row, rowidsOf, SCHEMAS, selectRows } from '../helpers/db-fixtures.js';
import { makeContext } from '../helpers/run-context.js';
import { makeTempDir, NOW, settingsFor } from '../helpers/temp-root.js';

function errorsRoot(ddl: string, table: string, rows: readonly Row[]) {
  const root = makeTempDir();
  const file = createDashboardDb(root, ddl);
  insertRows(file, table, rows);
  return { root, file, settings: settingsFor(root) };
}

describe('errors', () => {
  it('deletes errors whose resolved flag is true and resolved more than 30 days ago', async () => {
    const old = fmt.isoZ(daysAgo(31));
    const { file, settings } = errorsRoot(SCHEMAS.errorsResolved, 'errors', [
      { id: 1, resolved: 1, resolved_at: old },
      { id: 2, resolved: 'true', resolved_at: old },
      { id: 3, resolved: 'TRUE', resolved_at: old },
      { id: 4, resolved: '1', resolved_at: old },
      { id: 5, resolved: 0, resolved_at: old },
      { id: 6, resolved: 'false', resolved_at: old },
      { id: 7, resolved: null, resolved_at: old },
      { id: 8, resolved: 1, resolved_at: fmt.isoZ(daysAgo(30)) },
      { id: 9, resolved: 1, resolved_at: fmt.isoZ(daysAgo(29)) },
      { id: 10, resolved: 1, resolved_at: fmt.isoZ(daysAgo(30, 1000)) },
    ]);
    const { ctx, out } = makeContext(settings);
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'errors')).toEqual([5, 6, 7, 8, 9]);
    expect(out.items.map((i) => [i.target, i.action, i.reason])).toEqual([
      ['architect.db:errors#1', 'delete', 'resolved 31 days ago, limit 30 days'],
      ['architect.db:errors#2', 'delete', 'resolved 31 days ago, limit 30 days'],
      ['architect.db:errors#3', 'delete', 'resolved 31 days ago, limit 30 days'],
      ['architect.db:errors#4', 'delete', 'resolved 31 days ago, limit 30 days'],
      ['architect.db:errors#10', 'delete', 'resolved just over 30 days ago, limit 30 days'],
    ]);
  });

  it('reads status = resolved (any case) in error_log, aged by updated_at', async () => {
    const old = fmt.sqlite(daysAgo(40));
    const { file, settings } = errorsRoot(SCHEMAS.errorLogStatus, 'error_log', [
      { id: 1, status: 'resolved', updated_at: old },
      { id: 2, status: 'Resolved', updated_at: old },
      { id: 3, status: 'open', updated_at: old },
      { id: 4, status: 'resolved', updated_at: fmt.sqlite(daysAgo(2)) },
      { id: 5, status: 'unresolved', updated_at: old },
    ]);
    const { ctx } = makeContext(settings);
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'error_log')).toEqual([3, 4, 5]);
  });

  it('reads error_logs with a BOOLEAN resolved column and unix-millisecond created_at', async () => {
    const { file, settings } = errorsRoot(SCHEMAS.errorLogsResolved, 'error_logs', [
      { id: 1, resolved: 1, created_at: fmt.unixMs(daysAgo(45)) },
      { id: 2, resolved: 0, created_at: fmt.unixMs(daysAgo(45)) },
      { id: 3, resolved: 'true', created_at: fmt.unixMs(daysAgo(5)) },
    ]);
    const { ctx, out } = makeContext(settings);
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'error_logs')).toEqual([2, 3]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:error_logs#1']);
  });

  it('uses the first error table that exists', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, SCHEMAS.errorLogStatus, SCHEMAS.errorsResolved);
    insertRows(file, 'errors', [{ id: 1, resolved: 1, resolved_at: fmt.isoZ(daysAgo(40)) }]);
    insertRows(file, 'error_log', [{ id: 1, status: 'resolved', updated_at: fmt.isoZ(daysAgo(40)) }]);
    const { ctx } = makeContext(settingsFor(root));
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'errors')).toEqual([]);
    expect(rowidsOf(file, 'error_log')).toEqual([1]);
  });

  it('uses config-named resolved column', async () => {
    const root = makeTempDir();
    const file = createDashboardDb(root, 'CREATE TABLE faults (is_fixed INTEGER, fixed_on TEXT)');
    insertRows(file, 'faults', [
      { is_fixed: 1, fixed_on: fmt.isoZ(daysAgo(40)) },
      { is_fixed: 0, fixed_on: fmt.isoZ(daysAgo(40)) },
    ]);
    const config = path.join(root, 'cleanup.json');
    writeFileSync(config, JSON.stringify({ tables: { errors: { table: 'faults', resolved_column: 'is_fixed', age_column: 'fixed_on' } } }));
    const { ctx, out } = makeContext(settingsFor(root, {}, config));
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'faults')).toEqual([2]);
    expect(out.items.map((i) => i.target)).toEqual(['architect.db:faults#1']);
  });

  it('keeps resolved errors whose age cannot be read, with one warning', async () => {
    const { file, settings } = errorsRoot(SCHEMAS.errorsResolved, 'errors', [
      { id: 1, resolved: 1, resolved_at: null },
      { id: 2, resolved: 1, resolved_at: 'n/a' },
      { id: 3, resolved: 0, resolved_at: null },
    ]);
    const { ctx, out } = makeContext(settings);
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'errors')).toEqual([1, 2, 3]);
    expect(out.warnings).toEqual(['errors: 2 rows in errors kept because resolved_at cannot be read']);
  });

  it('a dry run changes nothing and reports what the real run removes', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      resolved: i % 3 === 0 ? 0 : 1,
      resolved_at: fmt.isoZ(daysAgo(20 + i)),
    }));
    const { file, settings } = errorsRoot(SCHEMAS.errorsResolved, 'errors', rows);
    const before = selectRows(file, 'errors');
    const dry = makeContext(settings, { dryRun: true });
    await errorsHandler.run(dry.ctx);
    expect(selectRows(file, 'errors')).toEqual(before);
    const real = makeContext(settings);
    await errorsHandler.run(real.ctx);
    expect(real.out.items).toEqual(dry.out.items);
    expect(real.out.items).toHaveLength(rows.filter((r) => r.resolved === 1 && r.id > 11).length);
  });

  it('keeps an error reopened between planning and deleting', async () => {
    const { file, settings } = errorsRoot(SCHEMAS.errorsResolved, 'errors', [
      { id: 1, resolved: 1, resolved_at: fmt.isoZ(daysAgo(40)) },
      { id: 2, resolved: 1, resolved_at: fmt.isoZ(daysAgo(40)) },
    ]);
    const { ctx, out } = makeContext(settings, {
      beforeExecute: () => execSql(file, 'UPDATE errors SET resolved = 0, resolved_at = ? WHERE id = 2', fmt.isoZ(NOW)),
    });
    await errorsHandler.run(ctx);
    expect(rowidsOf(file, 'errors')).toEqual([2]);
    expect(out.skipped.map((s) => [s.target, s.reason])).toEqual([['architect.db:errors#2', 'changed since it was planned']]);
  });
});
