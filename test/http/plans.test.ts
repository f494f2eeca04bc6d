/**
 * Plans and brakes over HTTP (issues 14 and 15): POST /plans/:id/apply, `confirm_large`, a
 * refused run in /runs, /metrics and a webhook. Real root, real state store, real engine.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeHttpFixture, writeOldLogs } from '../helpers/http-app.js';
import { hook, makeNotifyFixture, SECRET, startNotifyApp, until } from '../helpers/notify-fixture.js';
import { parsePrometheus, sampleValue, startReceiver } from '../helpers/receivers.js';
import { DAY, writeFileAt } from '../helpers/temp-root.js';

const CLEANUP = '/api/system/cleanup';
const apply = (id: string) => `${CLEANUP}/plans/${encodeURIComponent(id)}/apply`;

/** Two old logs (a usual run) and 38 younger ones that log_age_days 1 would add. */
function seedLogs(root: string): void {
  const now = Date.now();
  writeOldLogs(root, ['old-1.log', 'old-2.log']);
  for (let i = 0; i < 38; i++) writeFileAt(root, `logs/app-${i}.log`, now - (2 + (i % 18)) * DAY, 'y');
}

describe('POST /api/system/cleanup/plans/:id/apply', () => {
  it("removes exactly a dry run's items, records which plan the run applied, and refuses to apply it twice", async () => {
    const f = makeHttpFixture();
    const logs = writeOldLogs(f.root);
    const preview = (await f.app.inject({ method: 'POST', url: CLEANUP, payload: {} })).json();
    expect(preview).toMatchObject({ dry_run: true, plan_id: preview.run_id, items_total: 3 });
    const late = writeOldLogs(f.root, ['late.log'])[0] as string;
    const res = await f.app.inject({ method: 'POST', url: apply(preview.plan_id), payload: {} });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: true, dry_run: false, trigger: 'api', applied_plan_id: preview.plan_id, items_total: 3 });
    for (const file of logs) expect(existsSync(file)).toBe(false);
    expect(existsSync(late)).toBe(true);
    const run = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs/${res.json().run_id}` })).json();
    expect(run.run).toMatchObject({ applied_plan_id: preview.plan_id, plan_id: null, refused_reason: null });
    expect(run.items.map((i: { target: string }) => i.target).sort()).toEqual(preview.items.map((i: { target: string }) => i.target).sort());
    const dry = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs/${preview.run_id}` })).json();
    expect(dry.run.plan_id).toBe(preview.run_id);

    const again = await f.app.inject({ method: 'POST', url: apply(preview.plan_id) });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({
      success: false,
      error: { code: 'ERR_CLEANUP_PLAN_APPLIED', message: `plan ${preview.plan_id} was already applied (run ${res.json().run_id}); a plan is applied once: make a new dry run` },
    });
  });

  it('two applies of one plan at once: one 200, one 409, and the items are removed once', async () => {
    const f = makeHttpFixture();
    writeOldLogs(f.root);
    const preview = (await f.app.inject({ method: 'POST', url: CLEANUP })).json();
    const [a, b] = await Promise.all([f.app.inject({ method: 'POST', url: apply(preview.plan_id) }), f.app.inject({ method: 'POST', url: apply(preview.plan_id) })]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const refused = [a, b].find((r) => r.statusCode === 409);
    expect(refused?.json().error.code).toBe('ERR_CLEANUP_PLAN_APPLIED');
    expect(f.store.listRuns(10, 0).runs.filter((r) => !r.dry_run)).toHaveLength(1);
  });

  it('answers 404 for an unknown plan or a real run, 400 for a body field, and runs nothing', async () => {
    const f = makeHttpFixture();
    const logs = writeOldLogs(f.root);
    const unknown = await f.app.inject({ method: 'POST', url: apply('nope') });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'ERR_CLEANUP_NOT_FOUND', message: expect.stringMatching(/^no plan nope: a plan is the run_id of a finished dry run/) });
    const preview = (await f.app.inject({ method: 'POST', url: CLEANUP })).json();
    const bad = await f.app.inject({ method: 'POST', url: apply(preview.plan_id), payload: { dry_run: false } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('body: unknown field "dry_run"');
    for (const file of logs) expect(existsSync(file)).toBe(true);
    expect(f.store.listRuns(10, 0).total).toBe(1);
  });
});

describe('the brake over HTTP', () => {
  it('answers a refused run (200, status refused, nothing deleted) and goes ahead with "confirm_large": true', async () => {
    const f = makeHttpFixture();
    seedLogs(f.root);
    expect((await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false } })).json().items_total).toBe(2);
    const refused = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false, log_age_days: 1 } });
    expect(refused.statusCode).toBe(200);
    const body = refused.json();
    expect(body).toMatchObject({ success: false, status: 'refused', plan_id: body.run_id, items_total: 38 });
    expect(body.refused_reason).toMatch(/^refused: logs: 38 items .* planned, more than 2 × the largest of the last 1 real api run/);
    const list = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs` })).json();
    expect(list.runs[0]).toMatchObject({ run_id: body.run_id, status: 'refused' });
    const detail = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs/${body.run_id}` })).json();
    expect(detail).toMatchObject({ run: { status: 'refused', plan_id: body.run_id, refused_reason: body.refused_reason }, items_total: 38 });
    const status = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` })).json();
    expect(status.last_stats.logs_deleted).toBe(2); // the refused run is not the last run

    const bad = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false, log_age_days: 1, confirm_large: 'yes' } });
    expect(bad.statusCode).toBe(400);
    const confirmed = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false, log_age_days: 1, confirm_large: true } });
    expect(confirmed.json()).toMatchObject({ status: 'succeeded', items_total: 38 });
  });

  it('counts the refused run in cleanup_runs_total{status="refused"} and removes nothing in the metrics', async () => {
    const app = await startNotifyApp();
    seedLogs(app.root);
    await app.post(CLEANUP, { dry_run: false });
    expect(((await (await app.post(CLEANUP, { dry_run: false, log_age_days: 1 })).json()) as { status: string }).status).toBe('refused');
    const scrape = async () => parsePrometheus(await (await app.get('/metrics')).text());
    await until(async () => sampleValue(await scrape(), 'cleanup_runs_total', { status: 'refused' }) === 1);
    const m = await scrape();
    expect(sampleValue(m, 'cleanup_runs_total', { trigger: 'api', status: 'refused', dry_run: 'false' })).toBe(1);
    expect(sampleValue(m, 'cleanup_items_removed_total', { category: 'logs' })).toBe(2);
  });

  it('sends run.refused to a webhook that subscribes to it', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url, { events: ['run.refused'] })] });
    seedLogs(f.root);
    await f.engine.runOnce({ trigger: 'api', dryRun: false });
    const r = await f.engine.runOnce({ trigger: 'api', dryRun: false, overrides: { log_age_days: 1 } });
    expect(r.status).toBe('refused');
    expect(await f.sender().runPass()).toBe(1);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]?.headers['cleanup-event']).toBe('run.refused');
    expect(rx.received[0]?.json).toMatchObject({ event: 'run.refused', run: { run_id: r.run_id, status: 'refused' } });
    expect(rx.received[0]?.json.run.warnings[0]).toBe(r.refused_reason);
  });
});
