/**
 * A CLI run queues its notifications like any run and tries to send them before it exits, for
 * at most 5 s; what it cannot send stays in the outbox for the server. Through the real built
 * executable (run `npm run build` first) and a real receiver on loopback.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStateStoreAt } from '../../src/store/state-store.js';
import { writeOldLogs } from '../helpers/http-app.js';
import { SECRET } from '../helpers/notify-fixture.js';
import { startReceiver } from '../helpers/receivers.js';
import { makeTempDir } from '../helpers/temp-root.js';
import { cliEnv, runCli } from './cli-helpers.js';

function setup(url: string) {
  const root = makeTempDir('cw-cli-notify-');
  writeOldLogs(root);
  const config = path.join(makeTempDir('cw-cli-notify-cfg-'), 'config.json');
  writeFileSync(config, JSON.stringify({ notifications: { webhooks: [{ url, events: ['run.finished'], secret_env: 'HOOK_SECRET' }] } }));
  return { root, config, state: path.join(root, '.cleanup/state.db') };
}

describe('notifications from the CLI', () => {
  it('sends the run.finished of a CLI run, signed, before the command exits', async () => {
    const rx = await startReceiver(SECRET);
    const { root, config } = setup(rx.url);
    const r = await runCli(['--root', root, '--config', config, '--force'], { env: cliEnv({ HOOK_SECRET: SECRET }) });
    expect(r.code).toBe(0);
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]).toMatchObject({ signatureOk: true, json: { event: 'run.finished', run: { trigger: 'cli', status: 'succeeded', items_total: 3 } } });
  });

  it('stops waiting for a hook that hangs after about 5 s, and leaves the delivery to the server', async () => {
    const rx = await startReceiver(SECRET, ['hang']);
    const { root, config, state } = setup(rx.url);
    const t0 = Date.now();
    const r = await runCli(['--root', root, '--config', config, '--force'], { env: cliEnv({ HOOK_SECRET: SECRET }) });
    const took = Date.now() - t0;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  Logs deleted: 3');
    expect(took).toBeGreaterThanOrEqual(4500);
    expect(took).toBeLessThan(12_000);
    const store = openStateStoreAt(state);
    try {
      expect(store.outbox.recentAttempts(5)).toMatchObject([{ outcome: 'retry', state: 'pending', error: expect.stringMatching(/^no answer within \d+ ms$/) }]);
      expect(store.outbox.pendingCount()).toBe(1);
    } finally {
      store.close();
    }
  }, 30_000);

  it('leaves everything to the server when the shell lacks the secret the config names', async () => {
    const rx = await startReceiver(SECRET);
    const { root, config, state } = setup(rx.url);
    const r = await runCli(['--root', root, '--config', config, '--force']);
    expect(r.code).toBe(0);
    expect(rx.received).toHaveLength(0);
    const store = openStateStoreAt(state);
    try {
      expect(store.outbox.pendingCount()).toBe(1);
      expect(store.outbox.unexpanded(5).map((e) => e.type)).toEqual(['run.finished']);
    } finally {
      store.close();
    }
  });
});
