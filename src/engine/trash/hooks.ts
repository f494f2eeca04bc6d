/**
 * Test hooks inside the trash's two-step moves, at the moments a crash matters: the crash tests
 * kill the process (SIGKILL) from one of them to check that every item ends in exactly one place
 * and that the next run or restore converges. Real runs leave them undefined.
 */
export interface TrashHooks {
  /** After a file was renamed into the trash, before its item is reported. */
  afterMove?: (target: string) => void | Promise<void>;
  /** After a batch of rows was copied into trash.db (committed), before they are deleted from the source. */
  afterRowCopy?: () => void;
  /** After a file was linked back to its place, before its name in the trash is removed. */
  afterRestoreLink?: (target: string) => void | Promise<void>;
  /** After restored rows were committed to the source, before their copies leave trash.db. */
  afterRowRestore?: () => void;
  /** Stands in for statfs of the root (min_free_percent tests): free and total bytes. */
  fileSystem?: () => { totalBytes: number; freeBytes: number };
}
