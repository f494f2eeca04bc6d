/**
 * The dashboard databases of goal 3 (and goal 4's rows), built with one recursive CTE each:
 * - tasks: `task_queue` (status, completed_at as SQLite CURRENT_TIMESTAMP text), rowids in
 *   time order, the first half finished 8-60 days ago (removable: completed / cancelled /
 *   CANCELED), the second half within the last 6 days (mixed statuses); indexes on status and
 *   created_at as a dashboard would have them; plus `activity_log`.
 * - prompts: `assigner_prompts` (~300 bytes of text per row, created_at ISO-8601), the first
 *   half 15-90 days old, the rest under 13 days.
 * Both are WAL databases (the dashboard's mode) closed cleanly, so a file copy is a full copy.
 */
import Database from 'better-sqlite3';

const DAY_S = 86_400;

export interface DbSummary {
  rows: number;
  old: number;
  bytes: number;
  buildMs: number;
}

/** The plain-DELETE reference's condition and its cutoff text (same format as the column). */
export function tasksCutoffText(now: number, ageDays = 7): string {
  return sqliteTimestamp(now - ageDays * DAY_S * 1000);
}

/** ISO cutoff for prompts (`2026-01-24T19:07:36Z`), comparable as text with created_at. */
export function promptsCutoffText(now: number, ageDays = 14): string {
  return new Date(now - ageDays * DAY_S * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sqliteTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

/** Builds the tasks database with `rows` rows (half old and removable). */
export function buildTasksDb(file: string, rows: number, now: number): DbSummary {
  const { db, t0, nowS, half } = startDb(file, rows, now, `
    CREATE TABLE task_queue (
      id INTEGER PRIMARY KEY AUTOINCREMENT, task_type TEXT NOT NULL, status TEXT NOT NULL,
      payload TEXT, priority INTEGER DEFAULT 0, created_at TEXT, started_at TEXT, completed_at TEXT);
    CREATE INDEX idx_task_queue_status ON task_queue (status);
    CREATE INDEX idx_task_queue_created ON task_queue (created_at);`);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @rows),
     t(i, done) AS (SELECT i, CASE WHEN i <= @half
                           THEN @now - 60 * ${DAY_S} + (i * 52 * ${DAY_S}) / @half
                           ELSE @now - 6 * ${DAY_S} + ((i - @half) * 6 * ${DAY_S}) / (@rows - @half + 1) END FROM n)
     INSERT INTO task_queue (id, task_type, status, payload, priority, created_at, started_at, completed_at)
     SELECT i, 'agent-run',
       CASE WHEN i <= @half THEN (CASE i % 20 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'CANCELED' ELSE 'completed' END)
            ELSE (CASE i % 4 WHEN 0 THEN 'pending' WHEN 1 THEN 'running' WHEN 2 THEN 'failed' ELSE 'completed' END) END,
       printf('{"task":%d,"repo":"architect","args":"%s"}', i, hex(randomblob(24))),
       i % 5,
       datetime(done - 600, 'unixepoch'), datetime(done - 300, 'unixepoch'),
       CASE WHEN i > @half AND i % 4 < 2 THEN NULL ELSE datetime(done, 'unixepoch') END
     FROM t`,
  ).run({ rows, half, now: nowS });
  return finishDb(db, rows, half, t0);
}

/** Builds the prompts database with `rows` rows (half older than 14 days). */
export function buildPromptsDb(file: string, rows: number, now: number): DbSummary {
  const { db, t0, nowS, half } = startDb(file, rows, now, `
    CREATE TABLE assigner_prompts (
      id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER, role TEXT NOT NULL, prompt TEXT NOT NULL,
      response TEXT, created_at TEXT NOT NULL);
    CREATE INDEX idx_assigner_prompts_created ON assigner_prompts (created_at);`);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @rows),
     t(i, at) AS (SELECT i, CASE WHEN i <= @half
                         THEN @now - 90 * ${DAY_S} + (i * 75 * ${DAY_S}) / @half
                         ELSE @now - 13 * ${DAY_S} + ((i - @half) * 13 * ${DAY_S}) / (@rows - @half + 1) END FROM n)
     INSERT INTO assigner_prompts (id, task_id, role, prompt, response, created_at)
     SELECT i, i / 3, 'assigner',
       'You are the assigner. Pick the next agent for task ' || i || ': ' || hex(randomblob(80)),
       'agent-' || (i % 17) || ' ' || hex(randomblob(20)),
       strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch')
     FROM t`,
  ).run({ rows, half, now: nowS });
  return finishDb(db, rows, half, t0);
}

/** Opens a new WAL database like the dashboard's, with `ddl` plus the activity log; half the rows will be old. */
function startDb(file: string, rows: number, now: number, ddl: string) {
  const t0 = performance.now();
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`${ddl}
    CREATE TABLE activity_log (id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT, details TEXT,
      created_at TEXT DEFAULT CURRENT_TIMESTAMP);`);
  return { db, t0, nowS: Math.floor(now / 1000), half: Math.floor(rows / 2) };
}

function finishDb(db: Database.Database, rows: number, old: number, t0: number): DbSummary {
  db.pragma('wal_checkpoint(TRUNCATE)');
  const pages = db.pragma('page_count', { simple: true }) as number;
  const size = db.pragma('page_size', { simple: true }) as number;
  db.close();
  return { rows, old, bytes: pages * size, buildMs: performance.now() - t0 };
}
