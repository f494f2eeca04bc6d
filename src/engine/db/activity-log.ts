/**
 * The row a real run leaves in the dashboard's own activity log (SPEC section 1), so the
 * dashboard shows cleanups beside everything else. Columns are detected like the categories'.
 */
import type { EngineSettings } from '../../config/engine-settings.js';
import type { Stats } from '../types.js';
import { closeQuietly, type Db, databaseName, isOperationalError, openDashboardDb, quoteIdent } from './open.js';
import { columnInfo, findName, findTable } from './schema.js';
import { formatTimestampLike } from './timestamps.js';

const TABLES = ['activity_log', 'activity_logs'];
const ACTION_COLUMNS = ['action', 'type', 'event'];
const DETAILS_COLUMNS = ['details', 'message', 'description'];
const TIME_COLUMNS = ['created_at', 'timestamp'];

/** What the activity-log row describes: one finished run. */
export interface ActivityRun {
  runId: string;
  stats: Stats;
  finishedAt: string;
  trigger: string;
}

/**
 * Appends one row describing a real run to `activity_log` (or `activity_logs`) in the dashboard
 * database: action `cleanup`, details as JSON (run_id, trigger, finished_at, stats), and the time
 * `now` written in the format the table's latest row uses (ISO-8601 UTC when none can be read).
 * Does nothing when the database or table is missing (the database is never created).
 * Never throws for operational problems: returns a warning to record with the run, else null.
 */
export function appendActivityLog(settings: EngineSettings, run: ActivityRun, now: number): string | null {
  let db: Db | null = null;
  try {
    db = openDashboardDb(settings, { readonly: false });
    if (!db) return null;
    return insertActivityRow(db, run, now);
  } catch (err) {
    if (!isOperationalError(err)) throw err;
    return `activity log in ${databaseName(settings)} not written: ${err.message}`;
  } finally {
    if (db) closeQuietly(db);
  }
}

function insertActivityRow(db: Db, run: ActivityRun, now: number): string | null {
  const table = findTable(db, TABLES);
  if (!table) return null;
  const columns = columnInfo(db, table).map((c) => c.name);
  const action = findName(columns, ACTION_COLUMNS);
  const details = findName(columns, DETAILS_COLUMNS);
  const time = findName(columns, TIME_COLUMNS);
  if (!action && !details) {
    return `activity log not written: ${table} has none of the columns ${[...ACTION_COLUMNS, ...DETAILS_COLUMNS].join(', ')}`;
  }
  const values = new Map<string, unknown>();
  if (action) values.set(action, 'cleanup');
  if (details) values.set(details, describeRun(run));
  if (time) values.set(time, formatTimestampLike(latestValue(db, table, time), now));
  const names = [...values.keys()];
  db.prepare(
    `INSERT INTO main.${quoteIdent(table)} (${names.map(quoteIdent).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
  ).run(...values.values());
  return null;
}

/** The most recent non-null value of a column: the sample its format is copied from. */
function latestValue(db: Db, table: string, column: string): unknown {
  const row = db
    .prepare(`SELECT ${quoteIdent(column)} AS v FROM main.${quoteIdent(table)} WHERE ${quoteIdent(column)} IS NOT NULL ORDER BY rowid DESC LIMIT 1`)
    .get() as { v: unknown } | undefined;
  return row?.v;
}

function describeRun(run: ActivityRun): string {
  return JSON.stringify({ run_id: run.runId, trigger: run.trigger, finished_at: run.finishedAt, stats: run.stats });
}
