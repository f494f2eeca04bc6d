/**
 * Auth under attack (SPEC 4): with CLEANUP_API_TOKEN set, every /api/ route refuses a missing,
 * wrong, differently-cased, padded or mangled token with 401 (through inject and a real
 * socket), path spellings never reach a route without it, a refused real run deletes nothing,
 * and /health stays open.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { makeHttpFixture } from '../helpers/http-app.js';
import { buildSmallFixture, CLEANUP, fingerprint, OWN_STATE } from './helpers.js';

const TOKEN = 's3cr3t-Token_with.Mixed~Case';
const ROUTES: [string, string][] = [
  ['POST', CLEANUP],
  ['GET', `${CLEANUP}/status`],
  ['GET', `${CLEANUP}/runs`],
  ['GET', `${CLEANUP}/runs?limit=1`],
  ['GET', `${CLEANUP}/runs/RUN_ID`],
];
const BAD: (string | string[] | undefined)[] = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  `Bearer wrong`,
  `Bearer ${TOKEN.toUpperCase()}`,
  `Bearer ${TOKEN.toLowerCase()}`,
  `Bearer ${TOKEN} `,
  `Bearer  ${TOKEN}`,
  ` Bearer ${TOKEN}`,
  `Bearer\t${TOKEN}`,
  `Bearer ${TOKEN}\t`,
  `Bearer ${TOKEN.slice(0, -1)}`,
  `Bearer ${TOKEN}x`,
  `Bearer "${TOKEN}"`,
  `Bearer ${TOKEN} ${TOKEN}`,
  `Basic ${TOKEN}`,
  `Token ${TOKEN}`,
  TOKEN,
  `${TOKEN} Bearer`,
  `Bearer=${TOKEN}`,
  `Bearer ${Buffer.from(TOKEN).toString('base64')}`,
  ['Bearer wrong', `Bearer ${TOKEN}`],
];

describe('with CLEANUP_API_TOKEN set', () => {
  it('every /api/ route answers 401 to every bad Authorization header, and a refused real run deletes nothing', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: TOKEN } });
    buildSmallFixture(f.root, Date.now());
    const good = { authorization: `Bearer ${TOKEN}` };
    const dry = await f.app.inject({ method: 'POST', url: CLEANUP, headers: { ...good, 'content-type': 'application/json' }, payload: '{}' });
    expect(dry.statusCode).toBe(200);
    const runId = dry.json().run_id as string;
    const before = fingerprint(f.root, OWN_STATE);
    let fired = 0;
    for (const [method, route] of ROUTES) {
      const url = route.replace('RUN_ID', runId);
      for (const auth of BAD) {
        const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
        if (auth !== undefined) headers.authorization = auth;
        const res = await f.app.inject({ method: method as 'GET' | 'POST', url, headers, payload: method === 'POST' ? '{"dry_run": false}' : undefined });
        fired++;
        expect(res.statusCode, `${method} ${url} with ${JSON.stringify(auth)}`).toBe(401);
        expect(res.json()).toMatchObject({ success: false, error: { code: 'ERR_CLEANUP_UNAUTHORIZED' } });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="cleanup-worker"');
      }
      // The scheme is case-insensitive (RFC 7235), the token is not.
      for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
        const res = await f.app.inject({ method: method as 'GET', url, headers: { authorization: `${scheme} ${TOKEN}` } });
        fired++;
        expect(res.statusCode, `${method} ${url} with the right token`).toBe(200);
      }
    }
    expect(fingerprint(f.root, OWN_STATE)).toEqual(before);
    // Runs: the first dry run and the POST route's three accepted (dry) tries; no refused request ran.
    expect(f.store.listRuns(50, 0).total).toBe(4);
    expect((await f.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    console.info(`[reliability] auth: ${fired} requests over ${ROUTES.length} routes, ${BAD.length} bad headers each`);
  });

  it('no spelling of an /api/ path reaches a route without the token', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: TOKEN } });
    const paths = [
      `${CLEANUP}/status/`,
      `${CLEANUP}//status`,
      `${CLEANUP}/%73tatus`,
      `${CLEANUP}/status%2F`,
      `${CLEANUP}/status;x`,
      `${CLEANUP}/status#x`,
      `${CLEANUP}/./status`,
      `${CLEANUP}/runs/../status`,
      `/api/system/cleanup/../cleanup/status`,
      `/API/system/cleanup/status`,
      `/api/system/Cleanup/status`,
      `//api/system/cleanup/status`,
      `/api/system/cleanup?x=1`,
      `/api/system/cleanup/runs/%00`,
      `/api/system/cleanup/runs/${'a'.repeat(5000)}`,
      `/api/system/cleanup/runs?limit=1&limit=2`,
    ];
    for (const url of paths) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE'] as const) {
        const res = await f.app.inject({ method, url });
        expect([401, 404, 400, 405, 414], `${method} ${url} -> ${res.statusCode}`).toContain(res.statusCode);
      }
    }
  });

  it('over a real socket: 401 without the token, 200 with it, /health open, duplicate headers refused', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: TOKEN } });
    const base = await f.listen();
    for (const [method, route] of ROUTES.filter(([, r]) => !r.includes('RUN_ID'))) {
      const init = { method, headers: { 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined };
      expect((await fetch(`${base}${route}`, init)).status).toBe(401);
      // Padding inside the value (HTTP itself strips whitespace around a header value: RFC 9110 OWS).
      expect((await fetch(`${base}${route}`, { ...init, headers: { ...init.headers, authorization: `Bearer  ${TOKEN}` } })).status).toBe(401);
      expect((await fetch(`${base}${route}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${TOKEN.toUpperCase()}` } })).status).toBe(401);
      expect((await fetch(`${base}${route}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    }
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // Two Authorization headers, the wrong one first: Node keeps the first, so it is refused.
    const port = new URL(base).port;
    const raw = await new Promise<string>((resolve, reject) => {
      const s = connect(Number(port), '127.0.0.1', () =>
        s.write(`GET ${CLEANUP}/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`),
      );
      let buf = '';
      s.on('data', (d) => (buf += d));
      s.on('end', () => resolve(buf));
      s.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 401/);
  });
});
