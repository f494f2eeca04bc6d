/**
 * The panel's HTTP surface (issue 14): who may reach it without a token, the static files and
 * their policy, /docs, /stats and the run-item filter.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makeHttpFixture, writeOldLogs } from '../helpers/http-app.js';
import { DAY, writeFileAt } from '../helpers/temp-root.js';

const PANEL_ROUTES = ['/ui/', '/docs', '/api/system/cleanup/config', '/api/system/cleanup/config/history', '/api/system/cleanup/stats'];

describe('the panel without a token', () => {
  it('answers a loopback browser', async () => {
    const f = makeHttpFixture();
    for (const url of PANEL_ROUTES) {
      const res = await f.app.inject({ method: 'GET', url, headers: { host: '127.0.0.1:8080' } });
      expect(res.statusCode, url).toBe(200);
    }
  });

  it('refuses a client beyond loopback', async () => {
    const f = makeHttpFixture();
    for (const url of PANEL_ROUTES) {
      const res = await f.app.inject({ method: 'GET', url, remoteAddress: '192.168.1.20', headers: { host: 'nas.local:8080' } });
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.message).toMatch(/only on loopback; set CLEANUP_API_TOKEN/);
    }
  });

  it('refuses a page whose name was re-pointed at 127.0.0.1 (DNS rebinding), and a cross-site write', async () => {
    const f = makeHttpFixture();
    const rebound = await f.app.inject({ method: 'GET', url: '/api/system/cleanup/config', headers: { host: 'attacker.example:8080' } });
    expect(rebound.statusCode).toBe(403);
    const put = await f.app.inject({
      method: 'PUT',
      url: '/api/system/cleanup/config',
      headers: { host: '127.0.0.1:8080', origin: 'http://attacker.example' },
      payload: { backup_retention: 1 },
    });
    expect(put.statusCode).toBe(403);
    expect(f.settings.policy.backupRetention.prod).toBe(10);
  });
});

describe('the panel with a token', () => {
  it('serves its files to anyone (they hold no data) and its API only with the bearer token', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_API_TOKEN: 's3cret' } });
    const remote = { remoteAddress: '192.168.1.20', headers: { host: 'nas.local:8080' } };
    expect((await f.app.inject({ method: 'GET', url: '/ui/', ...remote })).statusCode).toBe(200);
    expect((await f.app.inject({ method: 'GET', url: '/api/system/cleanup/config', ...remote })).statusCode).toBe(401);
    const ok = await f.app.inject({
      method: 'GET',
      url: '/api/system/cleanup/config',
      remoteAddress: '192.168.1.20',
      headers: { host: 'nas.local:8080', authorization: 'Bearer s3cret' },
    });
    expect(ok.statusCode).toBe(200);
  });
});

describe('the panel files', () => {
  it('redirects / to /ui/ and serves the page with a strict Content-Security-Policy', async () => {
    const f = makeHttpFixture();
    const root = await f.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/ui/');
    const page = await f.app.inject({ method: 'GET', url: '/ui/' });
    expect(page.body).toContain('<script type="module" src="app.js">');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(page.headers['content-security-policy']).not.toMatch(/https?:/);
  });

  it('serves only the vendored library files it names, and nothing else from node_modules', async () => {
    const f = makeHttpFixture();
    for (const name of ['preact.mjs', 'hooks.mjs', 'htm.mjs', 'uPlot.iife.min.js', 'uPlot.min.css']) {
      expect((await f.app.inject({ method: 'GET', url: `/ui/vendor/${name}` })).statusCode, name).toBe(200);
    }
    for (const url of ['/ui/vendor/package.json', '/ui/../package.json', '/ui/vendor/../../src/server.ts', '/ui/%2e%2e/config-service.ts']) {
      expect((await f.app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('keeps all of its JavaScript and CSS within 150 KB gzipped', async () => {
    const f = makeHttpFixture();
    const files = [
      'index.html', 'app.js', 'api.js', 'html.js', 'format.js', 'style.css',
      'views/status.js', 'views/space.js', 'views/runs.js', 'views/preview.js', 'views/config.js',
      'vendor/preact.mjs', 'vendor/hooks.mjs', 'vendor/htm.mjs', 'vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css',
    ];
    let total = 0;
    for (const file of files) {
      const res = await f.app.inject({ method: 'GET', url: `/ui/${file}` });
      expect(res.statusCode, file).toBe(200);
      total += gzipSync(res.rawPayload).length;
    }
    expect(total).toBeLessThan(150 * 1024);
  });

  it('serves the API description at /docs without the network', async () => {
    const f = makeHttpFixture();
    const json = await f.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(Object.keys(json.json().paths)).toContain('/api/system/cleanup/config');
    const page = await f.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z]/i);
  });
});

describe('GET /stats', () => {
  it('sums what real runs removed per day, and leaves dry runs out', async () => {
    const f = makeHttpFixture();
    writeOldLogs(f.root, ['a.log', 'b.log']);
    writeFileAt(f.root, 'backups/prod/architect_20200101_000000.db', Date.now() - 400 * DAY, 'x'.repeat(1000));
    await f.app.inject({ method: 'POST', url: '/api/system/cleanup', payload: {} });
    await f.app.inject({ method: 'POST', url: '/api/system/cleanup', payload: { dry_run: false, backup_retention: { prod: 1 } } });
    const res = await f.app.inject({ method: 'GET', url: '/api/system/cleanup/stats?bucket=day' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.buckets).toHaveLength(31);
    expect(body.totals).toEqual({ runs: 1, items: 2, bytes: 200, by_category: { logs: { items: 2, bytes: 200 } } });
    const dry = (await f.app.inject({ method: 'GET', url: '/api/system/cleanup/stats?dry_run=true' })).json();
    expect(dry.totals.runs).toBe(1);
  });

  it('refuses a range too long for its bucket, a reversed range and an unknown bucket, naming the field', async () => {
    const f = makeHttpFixture();
    for (const [q, msg] of [
      ['bucket=hour&from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', /querystring.from: a range of hour buckets/],
      ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', /querystring.from must be before/],
      ['bucket=month', /querystring.bucket/],
      ['from=yesterday', /querystring.from/],
    ] as const) {
      const res = await f.app.inject({ method: 'GET', url: `/api/system/cleanup/stats?${q}` });
      expect(res.statusCode, q).toBe(400);
      expect(res.json().error.message).toMatch(msg);
    }
  });
});

describe('GET /runs/:id filtered', () => {
  it('pages the items of one category and action, with how many match', async () => {
    const f = makeHttpFixture();
    writeOldLogs(f.root, ['a.log', 'b.log', 'c.log']);
    writeFileAt(f.root, 'tmp/old.tmp', Date.now() - 3 * DAY);
    const run = (await f.app.inject({ method: 'POST', url: '/api/system/cleanup', payload: {} })).json();
    const url = `/api/system/cleanup/runs/${run.run_id}`;
    const logs = (await f.app.inject({ method: 'GET', url: `${url}?category=logs&items_limit=2&items_offset=1` })).json();
    expect(logs.items_matching).toBe(3);
    expect(logs.items).toHaveLength(2);
    expect(logs.items.every((i: { category: string }) => i.category === 'logs')).toBe(true);
    const temp = (await f.app.inject({ method: 'GET', url: `${url}?category=temp&action=delete` })).json();
    expect(temp.items.map((i: { target: string }) => i.target)).toEqual(['tmp/old.tmp']);
    expect((await f.app.inject({ method: 'GET', url: `${url}?action=shred` })).statusCode).toBe(400);
  });
});
