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

/**
 * A sink for planned rows (engine/sinks.ts): the deleter and the archiver remove them, the list
 * sink of a dry run takes them all and removes none.
 */
export interface RowExecutor {
  /** Planned rows that must be kept anyway, with the reason (asked in dry and real runs alike). */
  conflicts(rowids: readonly bigint[]): Map<bigint, string>;
  /** Takes the rows: removes those that still qualify, in SQL; returns the rowids taken. */
  execute(rowids: readonly bigint[]): Set<bigint>;
  /**
   * A dry run's read-only look, asked before its conflicts with the rows that would go: what
   * the real run would warn about (the archiver reads an existing archive's versions).
   */
  preview?(): void;
}
