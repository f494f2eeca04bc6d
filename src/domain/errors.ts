/**
 * The one error catalog: every code the service gives, with its HTTP status, the code the API
 * reports, and the CLI exit code, side by side. http/errors.ts and the CLI map errors by code
 * through this table, never by class.
 */

export interface ErrorEntry {
  /** HTTP status when the error reaches the API. */
  readonly status: number;
  /** The code the API reports (a config error in a request body is a bad request). */
  readonly apiCode: string;
  /** CLI exit code (SPEC section 6): 1 failed, 2 usage or config, 3 busy. */
  readonly exit: 1 | 2 | 3;
}

const entry = (status: number, apiCode: string, exit: 1 | 2 | 3): ErrorEntry => Object.freeze({ status, apiCode, exit });

export const ERROR_CATALOG = Object.freeze({
  ERR_CLEANUP_BAD_REQUEST: entry(400, 'ERR_CLEANUP_BAD_REQUEST', 2),
  ERR_CLEANUP_CONFIG: entry(400, 'ERR_CLEANUP_BAD_REQUEST', 2),
  ERR_CLEANUP_USAGE: entry(400, 'ERR_CLEANUP_BAD_REQUEST', 2),
  ERR_CLEANUP_UNAUTHORIZED: entry(401, 'ERR_CLEANUP_UNAUTHORIZED', 2),
  // The panel and its routes without a token, asked from beyond loopback (issue 14).
  ERR_CLEANUP_FORBIDDEN: entry(403, 'ERR_CLEANUP_FORBIDDEN', 2),
  ERR_CLEANUP_NOT_FOUND: entry(404, 'ERR_CLEANUP_NOT_FOUND', 2),
  ERR_CLEANUP_BUSY: entry(409, 'ERR_CLEANUP_BUSY', 3),
  ERR_CLEANUP_BODY_TOO_LARGE: entry(413, 'ERR_CLEANUP_BODY_TOO_LARGE', 2),
  ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE: entry(415, 'ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE', 2),
  // A path the service would open or create passes a link: refused, nothing is touched. A setup
  // to fix like a bad config (exit 2); never reaches the API as such (masked if it did).
  ERR_CLEANUP_UNSAFE_PATH: entry(500, 'ERR_CLEANUP_INTERNAL', 2),
  // The state folder cannot be written (read-only file system, permission denied).
  ERR_CLEANUP_STATE_UNAVAILABLE: entry(500, 'ERR_CLEANUP_INTERNAL', 1),
  ERR_CLEANUP_INTERNAL: entry(500, 'ERR_CLEANUP_INTERNAL', 1),
  // Issue 12, restore: a file is already where a restore would put it (never overwritten).
  ERR_CLEANUP_EXISTS: entry(409, 'ERR_CLEANUP_EXISTS', 1),
  // The archive target cannot be reached, refuses, times out, or holds no such bucket (502: the upstream failed).
  ERR_CLEANUP_ARCHIVE_UNAVAILABLE: entry(502, 'ERR_CLEANUP_ARCHIVE_UNAVAILABLE', 1),
  // An archived object does not match its recorded digest (or has none): nothing is restored.
  ERR_CLEANUP_ARCHIVE_CORRUPT: entry(502, 'ERR_CLEANUP_ARCHIVE_CORRUPT', 1),
  // Issue 14, plans: no such plan (not a dry run or refused run of this root): nothing ran.
  ERR_CLEANUP_PLAN_NOT_FOUND: entry(404, 'ERR_CLEANUP_NOT_FOUND', 1),
  // The plan was applied already (or is being applied): a plan is applied at most once.
  ERR_CLEANUP_PLAN_APPLIED: entry(409, 'ERR_CLEANUP_PLAN_APPLIED', 1),
  // The plan is older than limits.plan_ttl_minutes: make a new dry run.
  ERR_CLEANUP_PLAN_EXPIRED: entry(410, 'ERR_CLEANUP_PLAN_EXPIRED', 1),
});

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** The catalog entry of an error carrying one of our codes, else undefined (an unexpected error). */
export function catalogEntryOf(err: unknown): (ErrorEntry & { code: ErrorCode }) | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !Object.hasOwn(ERROR_CATALOG, code)) return undefined;
  return { ...ERROR_CATALOG[code as ErrorCode], code: code as ErrorCode };
}

/** A bad flag, environment variable, config file or request: one line naming the field and the fix. */
export class ConfigError extends Error {
  readonly code = 'ERR_CLEANUP_CONFIG';
}

/** A command line that cannot be run: one line naming the flag and the fix. */
export class UsageError extends Error {
  readonly code = 'ERR_CLEANUP_USAGE';
}

/** Another run holds the lock for this root. */
export class BusyError extends Error {
  readonly code = 'ERR_CLEANUP_BUSY';
  constructor(readonly runId: string, readonly trigger: string | null, readonly pid: number | null) {
    super(`another cleanup is running (run ${runId}${pid ? `, pid ${pid}` : ''})`);
  }
}

/** No plan with this id: not a finished dry run or a refused run of this root. */
export class PlanNotFoundError extends Error {
  readonly code = 'ERR_CLEANUP_PLAN_NOT_FOUND';
}

/** The plan was applied already, by `runId` (perhaps still in progress). */
export class PlanAppliedError extends Error {
  readonly code = 'ERR_CLEANUP_PLAN_APPLIED';
  constructor(readonly planId: string, readonly runId: string) {
    super(`plan ${planId} was already applied (run ${runId}); a plan is applied once: make a new dry run`);
  }
}

/** The plan is too old to apply. */
export class PlanExpiredError extends Error {
  readonly code = 'ERR_CLEANUP_PLAN_EXPIRED';
}
