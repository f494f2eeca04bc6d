/** SPEC 3 rule 7: one run at a time per root, across requests, another process's run and the schedule. */
import { existsSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine.js';
import { openStateStore } from '../../src/store/state-store.js';
import { captureLogger, heldHandler, makeGate, makeHttpFixture, writeOldLogs } from '../helpers/http-app.js';
import { startNodeScript } from '../helpers/node-child.js';

const CLEANUP = '/api/system/cleanup';

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('concurrent requests', () => {
  it('exactly one of several simultaneous POSTs runs; the others get 409 with its run_id', async () => {
    const gate = makeGate();
    const f = makeHttpFixture({ handlers: [heldHandler(gate.wait)] });
    const base = await f.listen();
    let settled = 0;
    const requests = Array.from({ length: 5 }, () =>
      fetch(`${base}${CLEANUP}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dry_run": false}' }).then(
        async (r) => {
          settled++;
          return { status: r.status, body: (await r.json()) as { run_id: string } };
        },
      ),
    );
    await until(() => settled === 4);
    // The run in progress is visible, and /status answers while it is held.
    const status = (await (await fetch(`${base}${CLEANUP}/status`)).json()) as { running: { run_id: string } | null };
    expect(status.running).toMatchObject({ trigger: 'api', dry_run: false, pid: process.pid });
    gate.open();
    const results = await Promise.all(requests);
    const ok = results.filter((r) => r.status === 200);
    const busy = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(1);
    expect(busy).toHaveLength(4);
    const runId = ok[0]?.body.run_id ?? '';
    expect(status.running?.run_id).toBe(runId);
    for (const b of busy) {
      expect(b.body).toEqual({ success: false, error: { code: 'ERR_CLEANUP_BUSY', message: expect.stringContaining(runId) }, run_id: runId });
    }
    expect(f.store.listRuns(10, 0).total).toBe(1);
  });

  it('answers 409 and shows the run when another process holds the lock', async () => {
    const f = makeHttpFixture();
    const logs = writeOldLogs(f.root);
    // A real second process (the built engine and state store, as the CLI uses them) takes the
    // lock on the same root and holds its run until told to finish.
    const other = startNodeScript(`
      const { loadSettings } = await import(dist('src/config/settings.js'));
      const { openStateStore } = await import(dist('src/store/state-store.js'));
      const { createEngine } = await import(dist('src/engine/engine.js'));
      const settings = loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root: ${JSON.stringify(f.root)} });
      const store = openStateStore(settings);
      const quiet = { info() {}, warn() {}, error() {}, debug() {} };
      const go = new Promise((resolve) => process.stdin.once('data', () => { process.stdin.destroy(); resolve(); }));
      const held = { category: 'logs', run: async () => { console.log(JSON.stringify({ held: true })); await go; } };
      const r = await createEngine({ settings, store, logger: quiet, handlers: [held] }).runOnce({ trigger: 'cli', dryRun: false });
      store.close();
      console.log(JSON.stringify({ run_id: r.run_id, status: r.status }));`);
    expect(await other.next()).toEqual({ held: true });
    const status = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` })).json();
    expect(status.running).toMatchObject({ trigger: 'cli', dry_run: false, pid: other.child.pid });
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false } });
    expect(res.statusCode).toBe(409);
    expect(res.json().run_id).toBe(status.running.run_id);
    for (const file of logs) expect(existsSync(file)).toBe(true);
    expect(f.store.listRuns(10, 0).runs.map((r) => r.trigger)).toEqual(['cli']);

    other.send('go');
    expect(await other.next()).toEqual({ run_id: status.running.run_id, status: 'succeeded' });
    expect(await other.exited).toBe(0);
    expect((await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` })).json().running).toBeNull();
  });
});

describe('the schedule', () => {
  it('fires a real scheduled run with a seconds-level expression, and /status shows it active', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_SCHEDULE: '* * * * * *' }, scheduler: true });
    const logs = writeOldLogs(f.root);
    await f.app.ready();
    const asked = Date.now();
    const status = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` })).json();
    const answered = Date.now();
    expect(status).toMatchObject({ daemon_running: true, daemon_pid: process.pid, schedule: '* * * * * *' });
    // Every second: next_run is a whole second after some instant between asking and the answer.
    const next = Date.parse(status.next_run);
    expect(next % 1000).toBe(0);
    expect(next).toBeGreaterThan(Math.floor(asked / 1000) * 1000 - 1000);
    expect(next).toBeLessThanOrEqual(Math.floor(answered / 1000) * 1000 + 1000);

    await until(() => f.store.listRuns(10, 0).runs.some((r) => r.trigger === 'schedule' && r.status === 'succeeded'));
    const run = f.store.listRuns(10, 0).runs.find((r) => r.trigger === 'schedule');
    expect(run).toMatchObject({ dry_run: false });
    for (const file of logs) expect(existsSync(file)).toBe(false);
    await f.close();
    expect(f.scheduler?.isActive()).toBe(false);
  });

  it('makes scheduled runs dry with CLEANUP_SCHEDULE_DRY_RUN=true', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_SCHEDULE: '* * * * * *', CLEANUP_SCHEDULE_DRY_RUN: 'true' }, scheduler: true });
    const logs = writeOldLogs(f.root);
    await f.app.ready();
    await until(() => f.store.listRuns(10, 0).runs.some((r) => r.trigger === 'schedule' && r.status === 'succeeded'));
    expect(f.store.listRuns(10, 0).runs[0]).toMatchObject({ dry_run: true });
    for (const file of logs) expect(existsSync(file)).toBe(true);
  });

  it('skips and logs a tick while another run holds the lock', async () => {
    const { logger, lines } = captureLogger();
    const f = makeHttpFixture({ env: { CLEANUP_SCHEDULE: '* * * * * *' }, scheduler: true, logger });
    const otherStore = openStateStore(f.settings);
    const gate = makeGate();
    const other = createEngine({ settings: f.settings, store: otherStore, logger: pino({ level: 'silent' }), handlers: [heldHandler(gate.wait)] });
    const held = other.runOnce({ trigger: 'cli', dryRun: false });
    const heldId = otherStore.runningRun()?.run_id;
    expect(heldId).toBeDefined();
    try {
      await f.app.ready();
      await until(() => lines.some((l) => l.msg === `scheduled cleanup skipped: run ${heldId} is in progress`));
      const skip = lines.find((l) => String(l.msg).startsWith('scheduled cleanup skipped'));
      expect(skip).toMatchObject({ level: 40, running_run_id: heldId, running_trigger: 'cli' });
      expect(f.store.listRuns(10, 0).runs.filter((r) => r.trigger === 'schedule')).toEqual([]);
    } finally {
      gate.open();
      await held;
      otherStore.close();
    }
  });

  it('is off with CLEANUP_SCHEDULE=off: no ticks, daemon_running false, next_run null', async () => {
    const f = makeHttpFixture({ scheduler: true });
    await f.app.ready();
    expect(f.scheduler?.isActive()).toBe(false);
    const status = (await f.app.inject({ method: 'GET', url: `${CLEANUP}/status` })).json();
    expect(status).toMatchObject({ daemon_running: false, daemon_pid: null, schedule: 'off', next_run: null });
  });

  it('closing the app aborts a scheduled run in progress, which is recorded as interrupted', async () => {
    const gate = makeGate();
    let started = false;
    const f = makeHttpFixture({
      env: { CLEANUP_SCHEDULE: '* * * * * *' },
      scheduler: true,
      handlers: [heldHandler(gate.wait, () => (started = true))],
    });
    await f.app.ready();
    await until(() => started);
    const runId = f.engine.current()?.run_id;
    await f.app.close();
    expect(f.store.getRun(runId ?? '')).toMatchObject({ trigger: 'schedule', status: 'interrupted' });
    expect(f.store.runningRun()).toBeNull();
  });
});

describe('closing the app', () => {
  it('stops an API run in progress after its batch, answers it, and records it as interrupted', async () => {
    const gate = makeGate();
    let started = false;
    const f = makeHttpFixture({ handlers: [heldHandler(gate.wait, () => (started = true))] });
    const pending = f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false } });
    await until(() => started);
    await f.app.close();
    const res = await pending;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'interrupted', success: false, items_total: 1 });
    expect(f.store.getRun(res.json().run_id)).toMatchObject({ status: 'interrupted' });
  });
});
