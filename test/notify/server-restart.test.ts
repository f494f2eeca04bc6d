/**
 * The server process (dist/src/server.js, built by `npm run build`) delivers what was left in
 * the outbox before it started, once, even across another restart; and refuses to start when a
 * variable the notifications config names is not set.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hook, makeNotifyFixture, SECRET, until } from '../helpers/notify-fixture.js';
import { startReceiver } from '../helpers/receivers.js';
import { makeTempDir } from '../helpers/temp-root.js';

const SERVER = path.resolve('dist/src/server.js');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Starts the server; resolves once it logs that it listens (or with its exit code and stderr). */
function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; code?: number | null; stderr: string }> {
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', CLEANUP_SCHEDULE: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (String(d).includes('"listen"')) resolve({ child, stderr });
    });
    child.on('exit', (code) => resolve({ child, code, stderr }));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe('the server and the outbox', () => {
  it('delivers events queued before it started, once, and not again after another restart', async () => {
    const rx = await startReceiver(SECRET);
    const f = makeNotifyFixture({ webhooks: [hook(rx.url)] });
    const run = await f.run();
    f.store.close();
    const config = path.join(makeTempDir('cw-srv-cfg-'), 'config.json');
    writeFileSync(config, JSON.stringify({ notifications: { webhooks: [hook(rx.url)] } }));
    const env = { ARCHITECT_HOME: f.root, CLEANUP_CONFIG: config, HOOK_SECRET: SECRET };

    const first = await startServer(env);
    expect(first.code).toBeUndefined();
    await until(() => rx.received.length === 1);
    await stop(first.child);
    const second = await startServer(env);
    await new Promise((r) => setTimeout(r, 700));
    await stop(second.child);

    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]).toMatchObject({ signatureOk: true, json: { event: 'run.finished', run: { run_id: run.run_id } } });
  }, 30_000);

  it('refuses to start (exit 2) when the secret a webhook names is not in its environment', async () => {
    const root = makeTempDir('cw-srv-');
    const config = path.join(makeTempDir('cw-srv-cfg-'), 'config.json');
    writeFileSync(config, JSON.stringify({ notifications: { webhooks: [hook('http://127.0.0.1:9/hook')] } }));
    const r = await startServer({ ARCHITECT_HOME: root, CLEANUP_CONFIG: config });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('notifications need HOOK_SECRET in the environment');
  });
});
