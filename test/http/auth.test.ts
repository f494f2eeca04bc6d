/** SPEC 4: with CLEANUP_API_TOKEN set, every /api/ route needs the exact bearer token; /health stays open. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBearer } from '../../src/http/auth.js';
import { makeHttpFixture, writeOldLogs } from '../helpers/http-app.js';

const TOKEN = 's3cret-Token_42';
const API_ROUTES = ['/api/system/cleanup/status', '/api/system/cleanup/runs', '/api/system/cleanup/runs/some-id'];

describe('with a token configured', () => {
  const REFUSED: [string, Record<string, string>][] = [
    ['missing header', {}],
    ['wrong token', { authorization: 'Bearer not-the-token' }],
    ['token with a trailing space', { authorization: `Bearer ${TOKEN} ` }],
    ['two spaces before the token', { authorization: `Bearer  ${TOKEN}` }],
    ['token prefix only', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['token plus a suffix', { authorization: `Bearer ${TOKEN}x` }],
    ['token in other case', { authorization: `Bearer ${TOKEN.toUpperCase()}` }],
    ['scheme without token', { authorization: 'Bearer' }],
    ['bare token', { authorization: TOKEN }],
    ['Basic scheme', { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }],
  ];

  it.each(REFUSED)('%s -> 401, and a cleanup request deletes nothing', async (_name, headers) => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: TOKEN } });
    const logs = writeOldLogs(f.root);
    const res = await f.app.inject({ method: 'POST', url: '/api/system/cleanup', headers, payload: { dry_run: false } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json()).toEqual({ success: false, error: { code: 'ERR_CLEANUP_UNAUTHORIZED', message: expect.any(String) } });
    for (const url of API_ROUTES) expect((await f.app.inject({ method: 'GET', url, headers })).statusCode).toBe(401);
    for (const file of logs) expect(existsSync(file)).toBe(true);
    expect(f.store.listRuns(10, 0).total).toBe(0);
  });

  it('checks the token before validating the body', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: TOKEN } });
    const res = await f.app.inject({ method: 'POST', url: '/api/system/cleanup', payload: { dry_run: 'nope' } });
    expect(res.statusCode).toBe(401);
  });

  it.each([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `BEARER ${TOKEN}`])('accepts "%s" (scheme is case-insensitive)', async (authorization) => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: TOKEN } });
    const res = await f.app.inject({ method: 'POST', url: '/api/system/cleanup', headers: { authorization } });
    expect(res.statusCode).toBe(200);
    expect(res.json().dry_run).toBe(true);
  });

  it('keeps /health open, and works over a real socket', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: TOKEN } });
    const base = await f.listen();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/api/system/cleanup/status`)).status).toBe(401);
    const ok = await fetch(`${base}/api/system/cleanup/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });
});

describe('without a token', () => {
  it('serves /api/ routes without an Authorization header', async () => {
    const f = makeHttpFixture();
    for (const url of API_ROUTES.slice(0, 2)) expect((await f.app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });
});

describe('checkBearer', () => {
  it('compares exactly, whatever the lengths', () => {
    expect(checkBearer(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(checkBearer(`Bearer ${TOKEN}${'x'.repeat(1000)}`, TOKEN)).toBe(false);
    expect(checkBearer('Bearer ', TOKEN)).toBe(false);
    expect(checkBearer(undefined, TOKEN)).toBe(false);
    expect(checkBearer(`Bearer\t${TOKEN}`, TOKEN)).toBe(false);
  });
});
