/**
 * GET /api/system/cleanup/notifications/deliveries and POST …/notifications/test over a real
 * socket, with real receivers on loopback.
 */
import { describe, expect, it } from 'vitest';
import { writeOldLogs } from '../helpers/http-app.js';
import { SECRET, startNotifyApp, until } from '../helpers/notify-fixture.js';
import { startReceiver } from '../helpers/receivers.js';

const BASE = '/api/system/cleanup/notifications';
const hook = (url: string) => ({ url, events: ['run.finished', 'run.failed'], secret_env: 'HOOK_SECRET' });

interface Deliveries {
  webhooks: { target: string; disabled_at: string | null }[];
  attempts: { event: string; outcome: string; status_code: number | null; error: string | null; target: string; run_id: string | null }[];
  outbox_depth: number;
}

describe('notification routes', () => {
  it('POST test sends a signed test event to every hook and reports each answer, hiding query strings and secrets', async () => {
    const good = await startReceiver(SECRET, [200]);
    const bad = await startReceiver(SECRET, [500]);
    const app = await startNotifyApp({ notifications: { webhooks: [hook(`${good.url}?token=abc123`), hook(bad.url)] } });
    const res = await app.post(`${BASE}/test`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('abc123');
    const body = JSON.parse(text);
    expect(body).toMatchObject({
      success: false,
      results: [
        { channel: 'webhook', target: good.url, outcome: 'delivered', status_code: 200, error: null },
        { channel: 'webhook', target: bad.url, outcome: 'dead', status_code: 500, error: 'answered HTTP 500' },
      ],
    });
    expect(good.received).toHaveLength(1);
    expect(good.received[0]).toMatchObject({ signatureOk: true, json: { event: 'test', run: null } });
    expect(good.received[0]?.headers['cleanup-event']).toBe('test');
    // A test is attempted once: the failing hook is not retried.
    await new Promise((r) => setTimeout(r, 300));
    expect(bad.received).toHaveLength(1);
  });

  it('GET deliveries lists recent attempts with status codes and errors, and a hook a 410 disabled until a test gets through', async () => {
    const rx = await startReceiver(SECRET, [410]);
    const app = await startNotifyApp({ notifications: { webhooks: [hook(rx.url)] } });
    writeOldLogs(app.root);
    const run = (await (await app.post('/api/system/cleanup', { dry_run: false })).json()) as { run_id: string };
    const read = async () => (await (await app.get(`${BASE}/deliveries`)).json()) as Deliveries;
    await until(async () => (await read()).attempts.length === 1);
    let d = await read();
    expect(d.attempts[0]).toMatchObject({ event: 'run.finished', run_id: run.run_id, outcome: 'disabled', status_code: 410, target: rx.url });
    expect(d.webhooks[0]?.disabled_at).not.toBeNull();
    expect(d.outbox_depth).toBe(0);

    rx.answers.splice(0, rx.answers.length, 200);
    const test = await (await app.post(`${BASE}/test`)).json();
    expect(test).toMatchObject({ success: true, results: [{ outcome: 'delivered' }] });
    d = await read();
    expect(d.webhooks[0]?.disabled_at).toBeNull();
    expect(d.attempts.map((a) => a.event)).toEqual(['test', 'run.finished']);
  });

  it('POST test with nothing configured says so (success false, no results)', async () => {
    const app = await startNotifyApp();
    expect(await (await app.post(`${BASE}/test`)).json()).toEqual({ success: false, results: [] });
  });

  it('both routes require the API token when one is set', async () => {
    const app = await startNotifyApp({ env: { CLEANUP_API_TOKEN: 'tok' } });
    expect((await app.get(`${BASE}/deliveries`)).status).toBe(401);
    expect((await app.post(`${BASE}/test`)).status).toBe(401);
    expect((await app.get(`${BASE}/deliveries`, { authorization: 'Bearer tok' })).status).toBe(200);
  });
});
