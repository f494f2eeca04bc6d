/** Maps state.db rows to the RunRecord the API and CLI show, and to the payload of a run's notifications. */
import { PAYLOAD_ERRORS_CAP, type RunPayload } from '../domain/notifications.js';
import type { FinishRun } from '../domain/runs.js';
import type { RunStatus, Stats, Trigger } from '../domain/types.js';
import { emptyStats } from '../domain/stats.js';
import type { RunRecord, RunSummary } from './types.js';

export interface RowShape {
  run_id: string;
  trigger: string;
  dry_run: number;
  started_at: string;
  finished_at: string | null;
  status: string;
  stats: string | null;
  items_total: number;
  skipped_total: number;
  errors_total: number;
  pid: number;
  settings: string | null;
  warnings: string | null;
  skipped: string | null;
  errors: string | null;
  kept: string | null;
  kept_total: number;
  progress: string | null;
  space_trashed_mb: number | null;
}

/** Parses the JSON columns of one runs row. */
export function toRunRecord(row: RowShape): RunRecord {
  const settings = row.settings ? JSON.parse(row.settings) : null;
  const applied = (settings as { applied_plan_id?: unknown } | null)?.applied_plan_id;
  const warnings: string[] = row.warnings ? JSON.parse(row.warnings) : [];
  return {
    ...toRunSummary(row),
    settings,
    warnings,
    skipped: row.skipped ? JSON.parse(row.skipped) : [],
    kept: row.kept ? JSON.parse(row.kept) : [],
    errors: row.errors ? JSON.parse(row.errors) : [],
    plan_id: isPlan(row) ? row.run_id : null,
    applied_plan_id: typeof applied === 'string' ? applied : null,
    // A refused run's reason is its warning that starts `refused: ` (engine.ts puts it there).
    refused_reason: row.status === 'refused' ? (warnings.find((w) => w.startsWith('refused: ')) ?? null) : null,
  };
}

/** A run whose items are a plan that can be applied: a finished dry run, or a real run a brake refused. */
export function isPlan(row: { dry_run: number; status: string }): boolean {
  return row.status === 'refused' || (row.dry_run === 1 && (row.status === 'succeeded' || row.status === 'partial'));
}

/** The columns of a RunSummary (no settings or capped lists to parse). */
export const SUMMARY_COLUMNS =
  'run_id, trigger, dry_run, started_at, finished_at, status, stats, space_trashed_mb, items_total, skipped_total, kept_total, errors_total, pid, progress';

export type SummaryRowShape = Omit<RowShape, 'settings' | 'warnings' | 'skipped' | 'kept' | 'errors'>;

/** Maps a row of SUMMARY_COLUMNS. */
export function toRunSummary(row: SummaryRowShape): RunSummary {
  return {
    run_id: row.run_id,
    trigger: row.trigger as Trigger,
    dry_run: row.dry_run === 1,
    started_at: row.started_at,
    finished_at: row.finished_at,
    status: row.status as RunStatus,
    stats: row.stats ? (JSON.parse(row.stats) as Stats) : emptyStats(),
    space_trashed_mb: row.space_trashed_mb ?? 0,
    items_total: row.items_total,
    skipped_total: row.skipped_total,
    kept_total: row.kept_total,
    errors_total: row.errors_total,
    pid: row.pid,
    progress: row.progress ? JSON.parse(row.progress) : null,
  };
}

/** A finished run as its notification events carry it. */
export function toPayload(row: RowShape, r: FinishRun): RunPayload {
  return {
    run_id: row.run_id,
    trigger: row.trigger as RunPayload['trigger'],
    dry_run: row.dry_run === 1,
    status: r.status,
    started_at: row.started_at,
    finished_at: r.finishedAt,
    duration_ms: Math.max(0, Date.parse(r.finishedAt) - Date.parse(row.started_at)),
    stats: r.stats,
    items_total: r.itemsTotal,
    errors_total: r.errorsTotal,
    warnings: r.warnings,
    errors: r.errors.slice(0, PAYLOAD_ERRORS_CAP),
    bytes_by_category: { ...(r.bytesByCategory ?? {}) },
  };
}
