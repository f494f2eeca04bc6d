/**
 * The vocabulary every layer shares: Candidate (what a collector found), Decision (what the
 * planner says about it), Item/Skipped/ItemError (what a run reports), Stats and RunResult
 * (one run's outcome). Ground floor: imports nothing outside domain/.
 */

import type { Category, FileCategory, RowCategory, StatKey } from './categories/index.js';

export { CATEGORIES } from './categories/index.js';
export type { AgeCategory, Category, FileCategory, RowCategory, StatKey } from './categories/index.js';
export type { BackupPolicy, BackupRetention, Policy } from './policy.js';

export type Trigger = 'api' | 'schedule' | 'cli';

/** A regular file found by a collector, with the stat facts the executor re-checks. */
export interface FileCandidate {
  kind: 'file';
  category: FileCategory;
  /** Path relative to the root, `/`-separated; bytes of a name that are not UTF-8 show as `\xNN`. */
  target: string;
  /**
   * Absolute path as the engine holds it: a name's bytes that are not UTF-8 are lone surrogates
   * (engine/fs/byte-names.js). Unique per file (targets may not be); give fs calls `toFsPath(path)`.
   */
  path: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  /** The moment its age counts from: the name's timestamp for backups when present, else mtime. */
  timestampMs: number;
  timestampSource: 'name' | 'mtime';
  /** Backups only: the environment folder as spelled, escaped like `target` (`default` for files directly in backups/). */
  env?: string;
  /** Set by the collector when a protection rule applies: the reason, e.g. "open by pid 4242". */
  protectedReason?: string;
}

/** A database row found by a collector. Only the facts the planner needs. */
export interface RowCandidate {
  kind: 'row';
  category: RowCategory;
  table: string;
  rowid: number;
  /** Parsed age-column value in ms since epoch, or null when it could not be read. */
  timestampMs: number | null;
}

export type Candidate = FileCandidate | RowCandidate;

export type Action = 'delete' | 'archive' | 'keep' | 'skip';

/** The planner's verdict on one candidate, with one sentence a person can read. */
export interface Decision<C extends Candidate = Candidate> {
  candidate: C;
  action: Action;
  reason: string;
}

/** One removed (or, in a dry run, to-be-removed) item as reported and recorded. */
export interface Item {
  category: Category;
  /** Root-relative path, or `architect.db:<table>#<rowid>` for a row. */
  target: string;
  bytes: number;
  /**
   * `rmdir` is an emptied temp folder: listed, never counted in the stats. `trash`: moved into
   * the trash (counted like a deletion; its bytes in `space_trashed_mb`, not freed yet).
   * `purge`: removed from the trash for good (its bytes are freed; not counted again in the
   * category's counter). `restore`: put back from the trash (not counted). See README, Trash and restore.
   */
  action: ItemAction;
  reason: string;
}

/** What happened to an item (see Item.action). */
export type ItemAction = 'delete' | 'archive' | 'rmdir' | 'trash' | 'purge' | 'restore';

/**
 * The rows one database batch removed (dry run: would remove), reported after their items:
 * SPEC 3.8 logs them in one line naming the table and every rowid. A rowid is a number when
 * JSON can hold it exactly, else its decimal text.
 */
export interface RowBatch {
  category: Category;
  table: string;
  action: 'delete' | 'archive' | 'trash';
  rowids: (number | string)[];
}

export interface Skipped {
  category: Category;
  target: string;
  reason: string;
}

/** An item the policy keeps, and why (backups: every rule that keeps it), so a run can explain what stayed. */
export interface Kept {
  category: Category;
  target: string;
  reason: string;
}

export interface ItemError {
  category: Category;
  target: string;
  message: string;
}

/** One counter per category (its descriptor's `statKey`), and the bytes of removed files in MB. */
export type Stats = { [K in StatKey]: number } & { space_freed_mb: number };

/** `refused`: a brake (issue 15) stopped a real run before it deleted anything; its items are its plan. */
export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted' | 'refused';

/** The result of one run: the body of SPEC section 4's 200 response. */
export interface RunResult {
  success: boolean;
  dry_run: boolean;
  run_id: string;
  trigger: Trigger;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  status: RunStatus;
  stats: Stats;
  /** Bytes of files this run moved into the trash / 1048576, two decimals (not freed: see README, Trash and restore). */
  space_trashed_mb: number;
  items: Item[];
  items_total: number;
  skipped: Skipped[];
  skipped_total: number;
  /** What the retention policy kept, with the reasons (backups), capped like `items`. */
  kept: Kept[];
  kept_total: number;
  errors: ItemError[];
  warnings: string[];
  /**
   * A dry run's or a refused run's id, as the plan it is: `POST /plans/<plan_id>/apply` removes
   * exactly its items (issue 14). Absent for the other runs.
   */
  plan_id?: string;
  /** The plan this real run carried out, when it applied one. */
  applied_plan_id?: string;
  /** Why a brake refused the run (status `refused`): the category and the numbers, or the clock. */
  refused_reason?: string;
}
