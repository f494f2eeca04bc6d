/**
 * A root with old and recent logs, temp files and backups, finished tasks and resolved errors,
 * for the trash tests (issue 15), and an engine over it with `trash` on.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import type { Settings } from '../../src/config/settings.js';
import { createEngine, type RunOnceOptions } from '../../src/engine/engine.js';
import type { RunResult } from '../../src/domain/types.js';
import { openStateStore } from '../../src/store/state-store.js';
import { createDashboardDb, insertRows, SCHEMAS } from './db-fixtures.js';
import { DAY, NOW, makeTempDir, settingsFor, writeFileAt } from './temp-root.js';

export const HOUR_MS = 3_600_000;

/** The settings of `root` with `trash` on (keep_hours 72 unless given). */
export function trashSettings(root: string, trash: { keepHours?: number; minFreePercent?: number | null } = {}): Settings {
  return Object.freeze({ ...settingsFor(root), trash: Object.freeze({ keepHours: trash.keepHours ?? 72, minFreePercent: trash.minFreePercent ?? null }) });
}

/** A root with 2 old logs (one in a sub-folder), 1 recent log, 1 old temp file, 4 tasks (2 old completed) and 2 errors (1 old resolved). */
export function trashRoot(): { root: string; db: string } {
  const root = makeTempDir('cw-trash-');
  writeFileAt(root, 'logs/old-a.log', NOW - 40 * DAY, 'aaaa');
  writeFileAt(root, 'logs/app/old-b.log', NOW - 40 * DAY, 'bbbbbbbb');
  writeFileAt(root, 'logs/recent.log', NOW - DAY, 'recent');
  writeFileAt(root, 'tmp/job/old.tmp', NOW - 3 * DAY, 'tt');
  const db = createDashboardDb(root, SCHEMAS.taskQueue, SCHEMAS.errorsResolved);
  const iso = (ms: number) => new Date(ms).toISOString();
  insertRows(db, 'task_queue', [
    { id: 1, title: 'old done', status: 'completed', completed_at: iso(NOW - 9 * DAY), created_at: iso(NOW - 10 * DAY) },
    { id: 2, title: 'old cancelled', status: 'cancelled', completed_at: NOW - 20 * DAY, created_at: iso(NOW - 21 * DAY) },
    { id: 3, title: 'recent', status: 'completed', completed_at: iso(NOW - DAY), created_at: iso(NOW - DAY) },
    { id: 4, title: 'pending', status: 'pending', completed_at: null, created_at: iso(NOW - 30 * DAY) },
  ]);
  insertRows(db, 'errors', [
    { id: 1, message: 'old', resolved: 1, resolved_at: iso(NOW - 40 * DAY), created_at: iso(NOW - 41 * DAY) },
    { id: 2, message: 'open', resolved: 0, resolved_at: null, created_at: iso(NOW - 41 * DAY) },
  ]);
  return { root, db };
}

/** One run of the real engine with a real state store; `opts` as runOnce's (now defaults to NOW). */
export async function runWith(settings: Settings, opts: Partial<RunOnceOptions> = {}): Promise<RunResult> {
  const store = openStateStore(settings);
  try {
    const engine = createEngine({ settings, store, logger: pino({ level: 'silent' }) });
    return await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW, ...opts });
  } finally {
    store.close();
  }
}

/** Every row of `table` as `[rowid, ...values]` JSON, keyed by rowid (values with their storage class). */
export function rowsOf(file: string, table: string): Map<number, string> {
  if (!existsSync(file)) return new Map();
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare(`SELECT rowid AS r, * FROM "${table}"`).raw().all() as unknown[][];
    return new Map(rows.map((r) => [Number(r[0]), JSON.stringify(r.slice(1).map((v) => (Buffer.isBuffer(v) ? `blob:${v.toString('hex')}` : [typeof v, v])))]));
  } finally {
    db.close();
  }
}

/** Files below `dir`, root-relative to `dir`, sorted (nothing when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}
