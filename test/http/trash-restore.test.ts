/** `POST /api/system/cleanup/runs/:id/restore` (issue 15) through buildApp + inject, on a real root. */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGate, heldHandler, makeHttpFixture } from '../helpers/http-app.js';
import { runWith, trashRoot, trashSettings } from '../helpers/trash-fixtures.js';

const API = '/api/system/cleanup';

describe('POST /runs/:id/restore', () => {
  it('restores a run, answers with the restore run, and lists it in the history with action restore', async () => {
    const { root } = trashRoot();
    const cleaned = await runWith(trashSettings(root));
    const f = makeHttpFixture({ root });
    const res = await f.app.inject({ method: 'POST', url: `${API}/runs/${cleaned.run_id}/restore` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, trigger: 'api', dry_run: false, status: 'succeeded', items_total: 6, space_trashed_mb: 0 });
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(true);
    const run = (await f.app.inject({ method: 'GET', url: `${API}/runs/${body.run_id}?action=restore` })).json();
    expect(run.items_matching).toBe(6);
    expect(run.run).toMatchObject({ trigger: 'api', status: 'succeeded' });
    const trashed = (await f.app.inject({ method: 'GET', url: `${API}/runs/${cleaned.run_id}` })).json();
    expect(trashed.items.every((i: { action: string }) => i.action === 'trash' || i.action === 'rmdir')).toBe(true);
  });

  it('a conflict is an error of the result (success false) and the item stays in the trash; a body picks category and targets', async () => {
    const { root } = trashRoot();
    const cleaned = await runWith(trashSettings(root));
    writeFileSync(path.join(root, 'logs/old-a.log'), 'new');
    const f = makeHttpFixture({ root });
    const res = await f.app.inject({ method: 'POST', url: `${API}/runs/${cleaned.run_id}/restore`, payload: { category: 'logs', targets: ['logs/old-a.log'] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ success: false, status: 'partial', items_total: 0, errors: [{ target: 'logs/old-a.log', message: expect.stringMatching(/never overwritten/) }] });
    expect(existsSync(path.join(root, '.cleanup/trash', cleaned.run_id, 'logs/old-a.log'))).toBe(true);
  });

  it('400 for a run id that is not one or a bad body, 404 for an unknown run, 409 while a run holds the lock', async () => {
    const { root } = trashRoot();
    const cleaned = await runWith(trashSettings(root));
    const gate = makeGate();
    let started = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const f = makeHttpFixture({ root, handlers: [heldHandler(gate.wait, started)] });
    const post = (url: string, payload?: unknown) => f.app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) });
    expect((await post(`${API}/runs/..%2F..%2Fetc/restore`)).statusCode).toBe(400);
    expect((await post(`${API}/runs/.hidden/restore`)).statusCode).toBe(400);
    expect((await post(`${API}/runs/${cleaned.run_id}/restore`, { category: 'sessions' })).statusCode).toBe(400);
    expect((await post(`${API}/runs/${cleaned.run_id}/restore`, { targets: [] })).statusCode).toBe(400);
    expect((await post(`${API}/runs/${cleaned.run_id}/restore`, { dry_run: true })).json().error.message).toMatch(/unknown field "dry_run"/);
    const missing = await post(`${API}/runs/no-such-run/restore`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toEqual({ code: 'ERR_CLEANUP_NOT_FOUND', message: 'run no-such-run not found' });
    const run = f.engine.runOnce({ trigger: 'api', dryRun: false });
    await running;
    const busy = await post(`${API}/runs/${cleaned.run_id}/restore`);
    expect(busy.statusCode).toBe(409);
    gate.open();
    await run;
    expect(existsSync(path.join(root, 'logs/old-a.log'))).toBe(false);
  });
});
