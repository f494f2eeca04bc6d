/**
 * Webhook delivery with real parts: a real run over a temp root writes its event into the
 * outbox of a real state database, a real sender POSTs it to a real HTTP receiver on loopback
 * that checks the signature and answers 200, 500, 410, hangs or closes the connection.
 */
import { describe, expect, it } from 'vitest';
import { hook, makeNotifyFixture, SECRET } from '../helpers/notify-fixture.js';
import { startReceiver } from '../helpers/receivers.js';

describe('webhook delivery', () => {
  it('delivers a finished real run once, signed, with the run in the payload and the event and delivery headers', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    const result = await f.run();
    const sender = f.sender();
    expect(await sender.runPass()).toBe(1);
    expect(await sender.runPass()).toBe(0);

    expect(rx.received).toHaveLength(1);
    const [got] = rx.received;
    expect(got?.signatureOk).toBe(true);
    expect(got?.headers['cleanup-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(got?.headers['cleanup-event']).toBe('run.finished');
    expect(got?.headers['cleanup-delivery']).toBe(got?.json.delivery_id);
    expect(got?.json).toMatchObject({
      event: 'run.finished',
      occurred_at: result.finished_at,
      run: {
        run_id: result.run_id,
        trigger: 'api',
        dry_run: false,
        status: 'succeeded',
        started_at: result.started_at,
        finished_at: result.finished_at,
        duration_ms: result.duration_ms,
        items_total: 3,
        errors_total: 0,
        warnings: result.warnings,
        bytes_by_category: { logs: 300 },
      },
    });
    expect(got?.json.run).toMatchObject({ stats: { logs_deleted: 3 } });
    expect(f.store.outbox.recentAttempts(10)).toMatchObject([{ outcome: 'delivered', status_code: 200, state: 'delivered', attempt: 1 }]);
  });

  it('retries a 500 after the backoff and delivers exactly once when the receiver answers 200', async () => {
    const rx = await startReceiver(SECRET, [500, 200]);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    const sender = f.sender();
    await sender.runPass();
    const [failed] = f.store.outbox.recentAttempts(10);
    expect(failed).toMatchObject({ outcome: 'retry', status_code: 500, error: 'answered HTTP 500', state: 'pending' });
    // Base 1 s, jitter factor 1.0 (random 0.5): due exactly one second later, not before.
    expect(Date.parse(failed?.next_attempt_at ?? '')).toBe(f.clock.now + 1000);
    f.clock.now += 999;
    expect(await sender.runPass()).toBe(0);
    f.clock.now += 1;
    expect(await sender.runPass()).toBe(1);
    f.clock.now += 60_000;
    expect(await sender.runPass()).toBe(0);
    expect(rx.received).toHaveLength(2);
    expect(rx.received[1]?.json.delivery_id).toBe(rx.received[0]?.json.delivery_id);
    expect(f.store.outbox.recentAttempts(10).map((a) => a.outcome)).toEqual(['delivered', 'retry']);
  });

  it('delivers to a receiver that was down for the first attempts exactly once when it comes back', async () => {
    const rx = await startReceiver(SECRET);
    await rx.close();
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    const sender = f.sender();
    await sender.runPass();
    f.clock.now += 1000;
    await sender.runPass();
    expect(f.store.outbox.recentAttempts(10).map((a) => a.error)).toEqual([expect.stringMatching(/ECONNREFUSED/), expect.stringMatching(/ECONNREFUSED/)]);
    await rx.reopen();
    f.clock.now += 2000;
    expect(await sender.runPass()).toBe(1);
    f.clock.now += 10_000;
    expect(await sender.runPass()).toBe(0);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]?.signatureOk).toBe(true);
  });

  it('disables a hook that answers 410 Gone: later runs send it nothing, and a new connection still knows', async () => {
    const rx = await startReceiver(SECRET, [410]);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    const sender = f.sender();
    await sender.runPass();
    expect(f.store.outbox.recentAttempts(10)).toMatchObject([{ outcome: 'disabled', status_code: 410, state: 'disabled' }]);
    f.clock.now += 1000;
    await f.run();
    await sender.runPass();
    f.clock.now += 60_000;
    await sender.runPass();
    expect(rx.received).toHaveLength(1);
    expect([...f.reopen().outbox.disabledHooks().keys()]).toEqual([rx.url]);
  });

  it('counts a hook that hangs past the timeout as a failed attempt and tries again later', async () => {
    const rx = await startReceiver(SECRET, ['hang']);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    const started = Date.now();
    await f.sender().runPass();
    expect(Date.now() - started).toBeLessThan(3000);
    expect(rx.received).toHaveLength(1);
    expect(f.store.outbox.recentAttempts(10)).toMatchObject([{ outcome: 'retry', status_code: null, error: 'no answer within 300 ms' }]);
  });

  it('counts a hook that closes the connection as a failed attempt', async () => {
    const rx = await startReceiver(SECRET, ['close']);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    await f.sender().runPass();
    const [a] = f.store.outbox.recentAttempts(10);
    expect(a).toMatchObject({ outcome: 'retry', status_code: null, state: 'pending' });
    expect(a?.error).toMatch(/ECONNRESET|socket hang up/);
  });

  it('gives a delivery up (dead) after its last attempt and sends it no more', async () => {
    const rx = await startReceiver(SECRET, [500]);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    const sender = f.sender({ backoff: { baseMs: 1000, maxMs: 8000, maxAttempts: 3 } });
    for (let i = 0; i < 6; i++) {
      await sender.runPass();
      f.clock.now += 10_000;
    }
    expect(rx.received).toHaveLength(3);
    expect(f.store.outbox.recentAttempts(10).map((a) => a.outcome)).toEqual(['dead', 'retry', 'retry']);
    expect(f.store.outbox.pendingCount()).toBe(0);
  });

  it('keeps undelivered events across a restart: a sender over the reopened state database delivers them once', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    const first = await f.run();
    const second = await f.run();
    f.store.close();
    const reopened = f.reopen();
    expect(reopened.outbox.pendingCount()).toBe(2);
    const sender = f.sender({}, reopened);
    await sender.runPass();
    await sender.runPass();
    expect(rx.received.map((r) => (r.json.run as { run_id: string }).run_id)).toEqual([first.run_id, second.run_id]);
    expect(reopened.outbox.pendingCount()).toBe(0);
  });

  it('takes over a delivery from a process that died mid-attempt once its lease runs out, and sends it once', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    const dead = f.reopen();
    // The dying process's sender routes the event and leases its delivery, then never records an attempt.
    dead.outbox.expand(dead.outbox.unexpanded(1)[0]?.id ?? 0, [{ channel: 'webhook', target: rx.url, maxAttempts: 4 }], f.clock.now);
    expect(dead.outbox.claimDue(f.clock.now, 5_600, 10)).toHaveLength(1);
    dead.close();
    const sender = f.sender();
    expect(await sender.runPass()).toBe(0);
    f.clock.now += 5_600;
    expect(await sender.runPass()).toBe(1);
    f.clock.now += 60_000;
    expect(await sender.runPass()).toBe(0);
    expect(rx.received).toHaveLength(1);
  });

  it('sends an event once when two senders on two connections work the same outbox at the same time', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    await f.run();
    const a = f.sender();
    const b = f.sender({}, f.reopen());
    const counts = await Promise.all([a.runPass(), b.runPass(), a.runPass(), b.runPass()]);
    expect(counts.reduce((x, y) => x + y, 0)).toBe(1);
    expect(rx.received).toHaveLength(1);
  });

  it('never holds up a run: with a hook that hangs, the run returns long before the hook times out', async () => {
    const rx = await startReceiver(SECRET, ['hang']);
    let sender: ReturnType<ReturnType<typeof makeNotifyFixture>['sender']> | null = null;
    const { notifyListener } = await import('../../src/notify/listener.js');
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] }, { listeners: [notifyListener({ wake: () => sender?.wake() })] });
    sender = f.sender({ timeoutMs: 10_000, now: Date.now, pollMs: 60_000 });
    sender.start();
    const t0 = Date.now();
    await f.run();
    const first = Date.now() - t0;
    await f.run();
    expect(Date.now() - t0).toBeLessThan(first * 2 + 2000);
    // The hook was called (woken by the run's end event) and still hangs: the runs did not wait for it.
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received.length).toBeGreaterThanOrEqual(1);
    expect(f.store.outbox.recentAttempts(10)).toEqual([]);
  });
});
