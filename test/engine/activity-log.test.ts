import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appendActivityLog } from '../../src/engine/db/activity-log.js';
import type { Stats } from '../../src/engine/types.js';
import { createDashboardDb, dbFile, fmt, insertRows, SCHEMAS, selectRows } from '../helpers/db-fixtures.js';
import { makeTempDir, NOW, settingsFor } from '../helpers/temp-root.js';

const stats: Stats = {
  backups_deleted: 84,
  logs_deleted: 2,
  tasks_deleted: 3,
  errors_deleted: 0,
  prompts_deleted: 5,
  temp_files_deleted: 1,
  space_freed_mb: 271.93,
};
const run = { runId: 'run-42', stats, finishedAt: '2026-02-07T19:07:36.000Z', trigger: 'schedule' };

function rootWith(...ddl: string[]) {
  const root = makeTempDir();
  const file = createDashboardDb(root, ...ddl);
  return { file, settings: settingsFor(root) };
}

describe('appendActivityLog', () => {
  it('appends one cleanup row with the run id and stats, time in ISO-8601 UTC', () => {
    const { file, settings } = rootWith(SCHEMAS.activityLog);
    expect(appendActivityLog(settings, run, NOW)).toBeNull();
    const rows = selectRows(file, 'activity_log');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'cleanup', created_at: '2026-02-07T19:07:36Z' });
    expect(JSON.parse(String(rows[0]?.details))).toEqual({
      run_id: 'run-42',
      trigger: 'schedule',
      finished_at: '2026-02-07T19:07:36.000Z',
      stats,
    });
  });

  it('writes the time the way the existing rows do', () => {
    const { file, settings } = rootWith(SCHEMAS.activityLog);
    insertRows(file, 'activity_log', [{ action: 'login', details: 'x', created_at: fmt.sqlite(NOW - 60_000) }]);
    appendActivityLog(settings, run, NOW);
    expect(selectRows(file, 'activity_log').at(-1)?.created_at).toBe('2026-02-07 19:07:36');
  });

  it('detects activity_logs with type, message and a unix-seconds timestamp column', () => {
    const { file, settings } = rootWith('CREATE TABLE activity_logs (id INTEGER PRIMARY KEY, type TEXT, message TEXT, timestamp INTEGER)');
    insertRows(file, 'activity_logs', [{ type: 'deploy', message: 'ok', timestamp: fmt.unixS(NOW - 3_600_000) }]);
    expect(appendActivityLog(settings, run, NOW)).toBeNull();
    expect(selectRows(file, 'activity_logs').at(-1)).toMatchObject({ type: 'cleanup', timestamp: NOW / 1000 });
  });

  it('detects event and description columns', () => {
    const { file, settings } = rootWith('CREATE TABLE activity_log (event TEXT, description TEXT, created_at INTEGER)');
    insertRows(file, 'activity_log', [{ event: 'x', description: 'y', created_at: fmt.unixMs(NOW - 1000) }]);
    appendActivityLog(settings, run, NOW);
    const last = selectRows(file, 'activity_log').at(-1);
    expect(last).toMatchObject({ event: 'cleanup', created_at: NOW });
    expect(String(last?.description)).toContain('"run_id":"run-42"');
  });

  it('does nothing when the table is missing: no table created, no other table written, the file unchanged', () => {
    const { file, settings } = rootWith(SCHEMAS.taskQueue);
    insertRows(file, 'task_queue', [{ title: 'a dashboard task', status: 'pending' }]);
    const before = { bytes: readFileSync(file), rows: selectRows(file, 'task_queue') };
    expect(appendActivityLog(settings, run, NOW)).toBeNull();
    expect(selectRows(file, 'task_queue')).toEqual(before.rows);
    expect(readFileSync(file).equals(before.bytes), 'architect.db changed').toBe(true);
    expect(existsSync(`${file}-journal`) || existsSync(`${file}-wal`)).toBe(false);
  });

  it('does nothing, and creates nothing, when the database is missing', () => {
    const root = makeTempDir();
    expect(appendActivityLog(settingsFor(root), run, NOW)).toBeNull();
    expect(existsSync(dbFile(root))).toBe(false);
  });

  it('returns a warning instead of throwing when the row cannot be written', () => {
    const { file, settings } = rootWith('CREATE TABLE activity_log (id INTEGER PRIMARY KEY, action TEXT, user_id INTEGER NOT NULL)');
    expect(appendActivityLog(settings, run, NOW)).toMatch(/^activity log in architect\.db not written: NOT NULL constraint failed/);
    expect(selectRows(file, 'activity_log')).toEqual([]);
  });

  it('returns a warning when the table has no column to describe the run in', () => {
    const { settings } = rootWith('CREATE TABLE activity_log (id INTEGER PRIMARY KEY, created_at TEXT)');
    expect(appendActivityLog(settings, run, NOW)).toBe(
      'activity log not written: activity_log has none of the columns action, type, event, details, message, description',
    );
  });
});
