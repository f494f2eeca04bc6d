import { describe, expect, it } from 'vitest';
import { BusyError, ConfigError, ERROR_CATALOG, UsageError } from '../../src/domain/errors.js';
import { toErrorResponse } from '../../src/http/errors.js';
import { UnsafePathError } from '../../src/safety/safe-path.js';

describe('the one error catalog', () => {
  it('holds the HTTP status and the CLI exit code of each code side by side', () => {
    expect(ERROR_CATALOG.ERR_CLEANUP_BUSY).toMatchObject({ status: 409, exit: 3 });
    expect(ERROR_CATALOG.ERR_CLEANUP_CONFIG).toMatchObject({ status: 400, apiCode: 'ERR_CLEANUP_BAD_REQUEST', exit: 2 });
    expect(ERROR_CATALOG.ERR_CLEANUP_USAGE.exit).toBe(2);
    expect(ERROR_CATALOG.ERR_CLEANUP_NOT_FOUND.status).toBe(404);
  });

  it('the API maps errors by code, not by class: a busy error from another copy of the module is still a 409', () => {
    const foreign = Object.assign(new Error('another cleanup is running (run r-1)'), { code: 'ERR_CLEANUP_BUSY', runId: 'r-1' });
    expect(toErrorResponse(foreign)).toMatchObject({ status: 409, body: { error: { code: 'ERR_CLEANUP_BUSY' }, run_id: 'r-1' } });
    expect(toErrorResponse(new BusyError('r-2', 'api', 42))).toMatchObject({ status: 409, body: { run_id: 'r-2' } });
    expect(toErrorResponse(new ConfigError('body.log_age_days must be >= 1'))).toEqual({
      status: 400,
      body: { success: false, error: { code: 'ERR_CLEANUP_BAD_REQUEST', message: 'body.log_age_days must be >= 1' } },
    });
    expect(toErrorResponse(new UsageError('--keep needs a number')).status).toBe(400);
  });

  it('an unsafe path is an internal error: masked, its message never leaves the process', () => {
    const r = toErrorResponse(new UnsafePathError('/etc/passwd is outside the root'));
    expect(r).toEqual({ status: 500, body: { success: false, error: { code: 'ERR_CLEANUP_INTERNAL', message: 'internal error' } } });
  });
});
