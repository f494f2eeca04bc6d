/**
 * `archive.failed` (issue 13): a real run whose archiving fails (the S3 target is down, or the
 * local archive folder is a symbolic link) writes the event into the outbox with the run, and a
 * real sender delivers it once, signed, to a real receiver on loopback.
 */
import { mkdirSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBackups } from '../helpers/archive-fixtures.js';
import { hook, makeNotifyFixture, SECRET } from '../helpers/notify-fixture.js';
import { startReceiver } from '../helpers/receivers.js';
import '../helpers/s3-server.js'; // the SDK's credentials (s3rver's account) come from the environment it sets
import { makeTempDir } from '../helpers/temp-root.js';

/** A loopback port nothing listens on (a server opened and closed). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const s3Down = (port: number) => ({
  backup_retention: { prod: 1 },
  backup_archive: { target: { type: 's3', bucket: 'archive-test', prefix: 'architect/', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, force_path_style: true, timeout_seconds: 1 } },
});
const LOCAL = { backup_retention: { prod: 1 }, backup_archive: { target: { type: 'local', dir: 'archive/backups' } } };

describe('archive.failed notifications', () => {
  it('a run whose S3 target is down raises archive.failed once, delivered signed to a hook that lists it, beside run.finished', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url, { events: ['run.finished', 'archive.failed'] })] }, { config: s3Down(await closedPort()) });
    const written = writeBackups(f.root, 'prod', 3, 200);
    const result = await f.engine.runOnce({ trigger: 'api', dryRun: false });
    expect(result.status).toBe('partial');
    expect(result.errors.map((e) => e.target).sort()).toEqual([written[1]?.rel, written[2]?.rel].sort());

    const sender = f.sender();
    expect(await sender.runPass()).toBe(2);
    f.clock.now += 60_000;
    expect(await sender.runPass()).toBe(0);

    const byEvent = (type: string) => rx.received.filter((r) => r.headers['cleanup-event'] === type);
    expect(byEvent('archive.failed')).toHaveLength(1);
    expect(byEvent('run.finished')).toHaveLength(1);
    const [got] = byEvent('archive.failed');
    expect(got?.signatureOk).toBe(true);
    expect(got?.headers['cleanup-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(got?.headers['cleanup-delivery']).toBe(got?.json.delivery_id);
    expect(got?.json).toMatchObject({ event: 'archive.failed', run: { run_id: result.run_id, status: 'partial', errors_total: 2 } });
    const errors = (got?.json.run as { errors: { target: string; message: string }[] } | undefined)?.errors ?? [];
    expect(errors.map((e) => e.target).sort()).toEqual([written[1]?.rel, written[2]?.rel].sort());
    for (const e of errors) expect(e.message).toMatch(/cannot be reached/);
  });

  it('a local archive folder that is a symbolic link: archive.failed reaches a hook subscribed to it alone', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url, { events: ['archive.failed'] })] }, { config: LOCAL });
    writeBackups(f.root, 'prod', 2, 200);
    mkdirSync(path.join(f.root, 'archive'));
    symlinkSync(makeTempDir('cw-outside-'), path.join(f.root, 'archive/backups'));
    await f.engine.runOnce({ trigger: 'schedule', dryRun: false });
    await f.sender().runPass();
    expect(rx.received.map((r) => [r.json.event, r.signatureOk])).toEqual([['archive.failed', true]]);
  });

  it('raises nothing when archiving succeeds, nor in a dry run (nothing is archived)', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url, { events: ['archive.failed'], include_dry_runs: true })] }, { config: LOCAL });
    writeBackups(f.root, 'prod', 3, 200);
    await f.engine.runOnce({ trigger: 'api', dryRun: true });
    const ok = await f.engine.runOnce({ trigger: 'api', dryRun: false });
    expect(ok.status).toBe('succeeded');
    expect(ok.items.filter((i) => i.action === 'archive')).toHaveLength(2);
    expect(await f.sender().runPass()).toBe(0);
    expect(rx.received).toEqual([]);
  });
});
