/** POST /cleanup, /status and /runs end to end over a real root and state store (inject). */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CategoryHandler } from '../../src/engine/context.js';
import { makeHttpFixture, writeOldLogs } from '../helpers/http-app.js';
import { writeFileAt } from '../helpers/temp-root.js';

const CLEANUP = '/api/system/cleanup';

/** A handler that reports `n` logs items, so history paging has something to page. */
function manyItems(n: number): CategoryHandler {
  return {
    category: 'logs',
    async run(ctx) {
      for (let i = 0; i < n; i++) {
        ctx.report.item({ category: 'logs', target: `logs/f${i}.log`, bytes: 10, action: 'delete', reason: 'test' });
      }
    },
  };
}

describe('POST /api/system/cleanup', () => {
  const EMPTY: [string, Record<string, string>, string | undefined][] = [
    ['no body', {}, undefined],
    ['empty body with Content-Type: application/json', { 'content-type': 'application/json' }, ''],
    ['{}', { 'content-type': 'application/json' }, '{}'],
    ['{"dry_run": true}', { 'content-type': 'application/json; charset=utf-8' }, '{"dry_run": true}'],
  ];

  it.each(EMPTY)('%s is a dry run with defaults that deletes nothing', async (_name, headers, payload) => {
    const f = makeHttpFixture();
    const logs = writeOldLogs(f.root);
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, headers, payload });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, dry_run: true, trigger: 'api', status: 'succeeded', items_total: 3 });
    expect(body.stats.logs_deleted).toBe(3);
    expect(body.items.map((i: { target: string }) => i.target).sort()).toEqual(['logs/nested/old-3.log.1', 'logs/old-1.log', 'logs/old-2.log']);
    expect(body.items[0].reason).toMatch(/^modified 9\d days ago, limit 30 days$/);
    for (const file of logs) expect(existsSync(file)).toBe(true);
    // A dry run is recorded, but it is not the "last run" of /status.
    expect(f.store.listRuns(10, 0).runs[0]).toMatchObject({ run_id: body.run_id, dry_run: true });
    const status = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` })).json();
    expect(status).toMatchObject({ last_run: null, last_stats: null });
  });

  it('"dry_run": false deletes the old logs, keeps recent ones, and /status shows the run', async () => {
    const f = makeHttpFixture();
    const logs = writeOldLogs(f.root);
    const recent = writeFileAt(f.root, 'logs/today.log', Date.now() - 60_000);
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false } });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, dry_run: false, status: 'succeeded', items_total: 3 });
    expect(body.stats).toMatchObject({ logs_deleted: 3, backups_deleted: 0 });
    for (const file of logs) expect(existsSync(file)).toBe(false);
    expect(existsSync(recent)).toBe(true);

    const status = await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({
      success: true,
      daemon_running: false,
      daemon_pid: null,
      last_run: body.finished_at,
      last_stats: body.stats,
      running: null,
      schedule: 'off',
      timezone: null,
      next_run: null,
      disk: { free_bytes: expect.any(Number), total_bytes: expect.any(Number) },
    });
  });

  it('applies the body overrides: log_age_days 100 keeps 90-day-old logs', async () => {
    const f = makeHttpFixture();
    const logs = writeOldLogs(f.root);
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false, log_age_days: 100, categories: ['logs'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json().stats.logs_deleted).toBe(0);
    for (const file of logs) expect(existsSync(file)).toBe(true);
  });

  it('caps the response at 1000 items while items_total counts all', async () => {
    const f = makeHttpFixture({ handlers: [manyItems(1200)] });
    const body = (await f.app.inject({ method: 'POST', url: CLEANUP })).json();
    expect(body.items).toHaveLength(1000);
    expect(body.items_total).toBe(1200);
  });
});

describe('GET /api/system/cleanup/runs', () => {
  it('lists every run newest first with total, limit and offset', async () => {
    const f = makeHttpFixture({ handlers: [manyItems(1)] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await f.app.inject({ method: 'POST', url: CLEANUP })).json().run_id);
    const all = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs` })).json();
    expect(all.total).toBe(3);
    expect(all.runs.map((r: { run_id: string }) => r.run_id)).toEqual([...ids].reverse());
    expect(all.runs[0]).toMatchObject({ trigger: 'api', dry_run: true, status: 'succeeded', items_total: 1 });
    expect(all.runs[0].stats.logs_deleted).toBe(1);
    expect(all.runs[0]).not.toHaveProperty('settings');

    const page = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs?limit=1&offset=1` })).json();
    expect(page).toEqual({ success: true, runs: [all.runs[1]], total: 3 });
  });

  it('returns one run with a page of its items', async () => {
    const f = makeHttpFixture({ handlers: [manyItems(25)] });
    const runId = (await f.app.inject({ method: 'POST', url: CLEANUP })).json().run_id;
    const res = await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs/${runId}?items_limit=5&items_offset=10` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.run).toMatchObject({ run_id: runId, status: 'succeeded', items_total: 25, warnings: [], skipped: [], errors: [] });
    expect(body.items_total).toBe(25);
    expect(body.items.map((i: { target: string }) => i.target)).toEqual(['logs/f10.log', 'logs/f11.log', 'logs/f12.log', 'logs/f13.log', 'logs/f14.log']);
  });

  it('answers 404 for an unknown run id', async () => {
    const f = makeHttpFixture();
    const res = await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs/does-not-exist` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ success: false, error: { code: 'ERR_CLEANUP_NOT_FOUND', message: 'run does-not-exist not found' } });
  });
});

describe('state survives a restart', () => {
  it('keeps last_run and the history after the app and store are closed and reopened', async () => {
    const first = makeHttpFixture();
    writeOldLogs(first.root);
    const run = (await first.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false } })).json();
    await first.close();

    const second = makeHttpFixture({ root: first.root });
    const status = (await second.app.inject({ method: 'GET', url: `${CLEANUP}/status` })).json();
    expect(status.last_run).toBe(run.finished_at);
    expect(status.last_stats).toEqual(run.stats);
    const runs = (await second.app.inject({ method: 'GET', url: `${CLEANUP}/runs` })).json();
    expect(runs.runs[0].run_id).toBe(run.run_id);
  });
});

describe('GET /health', () => {
  it('answers 200 {"status":"ok"}', async () => {
    const f = makeHttpFixture();
    const res = await f.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});
