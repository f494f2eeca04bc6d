/**
 * A run as the history keeps it: what starts one, what finishes one, and the record listed by
 * GET /runs. Shared by the engine (which declares the store port it needs) and the store (which
 * implements it), so neither imports the other.
 */
import type { NotificationEvent } from './notifications.js';
import type { ItemError, Kept, RunStatus, Skipped, Stats, Trigger } from './types.js';

export interface RunProgress {
  category: string | null;
  phase: string | null;
  items_so_far: number;
}

/** A run as stored and listed (GET /runs). */
export interface RunRecord {
  run_id: string;
  trigger: Trigger;
  dry_run: boolean;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  stats: Stats;
  /** Bytes moved into the trash / 1048576 (0 for runs without a trash, and those recorded before it). */
  space_trashed_mb: number;
  items_total: number;
  skipped_total: number;
  errors_total: number;
  pid: number;
  settings: unknown;
  warnings: string[];
  skipped: Skipped[];
  /** What the retention policy kept (capped, like `skipped`); runs recorded before it: empty. */
  kept: Kept[];
  kept_total: number;
  errors: ItemError[];
  progress: RunProgress | null;
  /** The run's id when it is a plan that can be applied (a finished dry run, a refused run), else null. */
  plan_id: string | null;
  /** The plan this run carried out, or null. */
  applied_plan_id: string | null;
  /** Why a brake refused the run, or null. */
  refused_reason: string | null;
}

/** A run without its stored settings and capped lists. */
export type RunSummary = Omit<RunRecord, 'settings' | 'warnings' | 'skipped' | 'kept' | 'errors' | 'plan_id' | 'applied_plan_id' | 'refused_reason'>;

/** A run about to start. Its `started_at` is stamped by the store inside the lock transaction, so recorded runs never overlap. */
export interface StartRun {
  trigger: Trigger;
  dryRun: boolean;
  settings: unknown;
  /**
   * The plan this run applies: claimed in the transaction that takes the lock, so a plan is
   * applied at most once however many processes try (PlanAppliedError for the others).
   */
  applyPlanId?: string;
}

export interface FinishRun {
  status: RunStatus;
  finishedAt: string;
  stats: Stats;
  /** Bytes moved into the trash / 1048576 (absent: 0). */
  spaceTrashedMb?: number;
  itemsTotal: number;
  skippedTotal: number;
  errorsTotal: number;
  warnings: string[];
  /** Capped lists kept with the run. */
  skipped: Skipped[];
  /** Absent: nothing was kept by a retention policy (the run did not cover backups). */
  kept?: Kept[];
  keptTotal?: number;
  errors: ItemError[];
  /** Bytes removed (or archived) per category, for the notifications' "top categories". */
  bytesByCategory?: Readonly<Record<string, number>>;
  /** Notification events beyond the one the status raises (e.g. `archive.failed`); written with the run. */
  events?: readonly NotificationEvent[];
}
