/** Errors every layer may throw or map. */

/** Another run holds the lock for this root. */
export class BusyError extends Error {
  readonly code = 'ERR_CLEANUP_BUSY';
  constructor(readonly runId: string, readonly trigger: string | null, readonly pid: number | null) {
    super(`another cleanup is running (run ${runId}${pid ? `, pid ${pid}` : ''})`);
  }
}
