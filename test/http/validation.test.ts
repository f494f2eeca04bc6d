/** SPEC 3 rule 9 over HTTP: bad input is a 400 naming the field, in one error shape, and nothing runs. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureLogger, makeHttpFixture, writeOldLogs } from '../helpers/http-app.js';

const CLEANUP = '/api/system/cleanup';

/** [name, raw JSON body, text the message must contain] */
const BAD_BODIES: [string, string, string][] = [
  ['dry_run null', '{"dry_run": null}', 'body.dry_run must be boolean'],
  ['dry_run 0', '{"dry_run": 0}', 'body.dry_run must be boolean'],
  ['dry_run "false"', '{"dry_run": "false", "log_age_days": 1}', 'body.dry_run must be boolean'],
  ['unknown field', '{"dry_run": false, "log_age_dayz": 1}', 'unknown field "log_age_dayz"'],
  ['non-integer', '{"dry_run": false, "log_age_days": 1.5}', 'body.log_age_days must be integer'],
  ['zero', '{"dry_run": false, "log_age_days": 0}', 'body.log_age_days must be >= 1'],
  ['negative', '{"dry_run": false, "task_age_days": -1}', 'body.task_age_days must be >= 1'],
  ['2^53', '{"dry_run": false, "error_age_days": 9007199254740992}', 'body.error_age_days must be <= 10000'],
  ['1e309 (Infinity)', '{"dry_run": false, "prompt_age_days": 1e309}', 'body.prompt_age_days'],
  ['temp hours string', '{"dry_run": false, "temp_age_hours": "24"}', 'body.temp_age_hours must be integer'],
  ['retention 0', '{"dry_run": false, "backup_retention": 0}', 'body.backup_retention'],
  ['retention per env 0', '{"dry_run": false, "backup_retention": {"prod": 0}}', 'body.backup_retention.prod must be >= 1'],
  ['retention string', '{"dry_run": false, "backup_retention": "5"}', 'body.backup_retention'],
  ['unknown category', '{"dry_run": false, "categories": ["logs", "bogus"]}', 'body.categories.1 must be one of backups, logs'],
  ['categories not array', '{"dry_run": false, "categories": "logs"}', 'body.categories must be array'],
  ['duplicate category', '{"dry_run": false, "categories": ["logs", "logs"]}', 'body.categories'],
  // An empty list must not mean "everything": a careless caller would clean every category.
  ['empty categories', '{"dry_run": false, "categories": []}', 'body.categories must NOT have fewer than 1 items'],
  ['array body', '[{"dry_run": false}]', 'body must be a JSON object'],
  ['string body', '"dry_run"', 'body must be a JSON object'],
  ['number body', '5', 'body must be a JSON object'],
  ['null body', 'null', 'body must be a JSON object'],
  ['invalid JSON', '{"dry_run": false', 'body is not valid JSON'],
  ['__proto__ key', '{"dry_run": false, "__proto__": {"x": 1}}', 'body'],
];

describe('POST /api/system/cleanup refuses bad input', () => {
  it.each(BAD_BODIES)('%s -> 400 naming the field, nothing deleted, no run recorded', async (_name, raw, text) => {
    const f = makeHttpFixture();
    const logs = writeOldLogs(f.root);
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, headers: { 'content-type': 'application/json' }, payload: raw });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toEqual({ success: false, error: { code: 'ERR_CLEANUP_BAD_REQUEST', message: expect.any(String) } });
    expect(body.error.message).toContain(text);
    expect(res.body).not.toMatch(/at .*\.(js|ts):\d+/);
    for (const file of logs) expect(existsSync(file)).toBe(true);
    expect(f.store.listRuns(10, 0).total).toBe(0);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])('refuses a %s body with 415 in the same shape', async (type) => {
    const f = makeHttpFixture();
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, headers: { 'content-type': type }, payload: 'dry_run=false' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ success: false, error: { code: 'ERR_CLEANUP_UNSUPPORTED_MEDIA_TYPE' } });
    expect(f.store.listRuns(10, 0).total).toBe(0);
  });

  it('refuses a body over 16 KiB with 413 in the same shape', async () => {
    const f = makeHttpFixture();
    const raw = JSON.stringify({ dry_run: true, pad: 'x'.repeat(20_000) });
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, headers: { 'content-type': 'application/json' }, payload: raw });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ success: false, error: { code: 'ERR_CLEANUP_BODY_TOO_LARGE' } });
  });
});

describe('querystrings are parsed strictly', () => {
  const BAD_QUERIES: [string, string][] = [
    ['/runs?limit=abc', 'querystring.limit'],
    ['/runs?limit=-1', 'querystring.limit'],
    ['/runs?limit=0', 'querystring.limit must be an integer from 1 to 500'],
    ['/runs?limit=1.5', 'querystring.limit'],
    ['/runs?limit=', 'querystring.limit'],
    ['/runs?limit=501', 'querystring.limit'],
    ['/runs?limit=1&limit=2', 'querystring.limit'],
    ['/runs?offset=-5', 'querystring.offset'],
    ['/runs?page=2', 'unknown field "page"'],
    ['/runs/x?items_limit=abc', 'querystring.items_limit'],
    ['/runs/x?items_limit=1001', 'querystring.items_limit'],
    ['/runs/x?items_offset=1e3', 'querystring.items_offset'],
  ];
  it.each(BAD_QUERIES)('%s -> 400 naming %s', async (url, text) => {
    const f = makeHttpFixture();
    const res = await f.app.inject({ method: 'GET', url: `${CLEANUP}${url}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('ERR_CLEANUP_BAD_REQUEST');
    expect(res.json().error.message).toContain(text);
  });
});

describe('unknown routes', () => {
  it('answer 404 in the same error shape', async () => {
    const f = makeHttpFixture();
    const res = await f.app.inject({ method: 'GET', url: '/api/system/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ success: false, error: { code: 'ERR_CLEANUP_NOT_FOUND' } });
  });
});

describe('internal errors', () => {
  it('are logged with their stack and answered as a masked 500', async () => {
    const { logger, lines } = captureLogger();
    const f = makeHttpFixture({ logger });
    f.store.close(); // every store call now throws: a genuine internal failure
    const res = await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ success: false, error: { code: 'ERR_CLEANUP_INTERNAL', message: 'internal error' } });
    expect(res.body).not.toContain('database');
    const logged = lines.find((l) => l.msg === 'request failed') as { level: number; err: { stack: string } } | undefined;
    expect(logged?.level).toBe(50);
    expect(logged?.err.stack).toContain('database connection is not open');
  });
});
