/**
 * The contract between the row sweep (row-cleanup.ts) and the executors it drives (the deleter
 * there, the archiver in archive.ts). Types only, in their own file so the two need not import
 * each other.
 */

/** A row the planner wants removed. */
export interface PlannedRow {
  rowid: bigint;
  action: 'delete' | 'archive';
  reason: string;
}

/** Removes planned rows; one per category kind (delete, archive). */
export interface RowExecutor {
  /** Planned rows that must be kept anyway, with the reason (checked in dry and real runs alike). */
  conflicts(rowids: readonly bigint[]): Map<bigint, string>;
  /** Real runs only: removes the rows that still qualify, in SQL; returns the rowids removed. */
  execute(rowids: readonly bigint[]): Set<bigint>;
}
