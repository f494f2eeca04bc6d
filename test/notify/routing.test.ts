/** Which channels an event goes to (notify/routing.ts), over a table of named cases. */
import { describe, expect, it } from 'vitest';
import { resolveNotifications } from '../../src/config/notifications.js';
import type { OutboxEvent, RunPayload } from '../../src/domain/notifications.js';
import { emptyStats } from '../../src/domain/stats.js';
import { targetsFor } from '../../src/notify/routing.js';
import { signatureHeader, verifySignature } from '../../src/notify/signing.js';

const env = { S: 'secret' };
const config = resolveNotifications(
  {
    webhooks: [
      { url: 'http://a.test/all', events: ['run.finished', 'run.failed', 'run.refused', 'archive.failed'], secret_env: 'S' },
      { url: 'http://b.test/big', events: ['run.finished'], secret_env: 'S', min_space_freed_mb: 100 },
      { url: 'http://c.test/dry', events: ['run.finished'], secret_env: 'S', include_dry_runs: true },
      { url: 'http://d.test/fail', events: ['run.failed'], secret_env: 'S' },
    ],
    email: { host: 'mx.test', from: 'cw@x.test', to: ['ops@x.test'], on: 'freed_over_mb', freed_over_mb: 500 },
  },
  env,
);

function event(type: OutboxEvent['type'], run: Partial<RunPayload> & { mb?: number } = {}): OutboxEvent {
  const stats = { ...emptyStats(), space_freed_mb: run.mb ?? 0 };
  const payload = { run_id: 'r', trigger: 'schedule', dry_run: false, status: 'succeeded', errors_total: 0, stats, ...run } as RunPayload;
  return { id: 1, type, run_id: 'r', occurred_at: '2026-02-07T19:07:36Z', run: type === 'test' ? null : payload };
}

const short = (e: OutboxEvent, disabled: string[] = []) =>
  targetsFor(e, config, new Set(disabled)).map((t) => (t.channel === 'email' ? 'email' : new URL(t.target).hostname[0]));

describe('routing events to channels', () => {
  it.each([
    ['a small real run: the all-events hook and the dry-run hook', event('run.finished', { mb: 5 }), ['a', 'c']],
    ['a real run over min_space_freed_mb: the big-run hook too', event('run.finished', { mb: 150 }), ['a', 'b', 'c']],
    ['a real run over freed_over_mb: email too', event('run.finished', { mb: 600 }), ['a', 'b', 'c', 'email']],
    ['a dry run: only the hook with include_dry_runs, never email', event('run.finished', { mb: 900, dry_run: true }), ['c']],
    ['a failed run: failure hooks and email', event('run.failed', { status: 'failed' }), ['a', 'd', 'email']],
    ['a partial run is a failure for email', event('run.finished', { status: 'partial', errors_total: 2 }), ['a', 'c', 'email']],
    ['a refused run', event('run.refused', { status: 'refused' }), ['a', 'email']],
    ['archive.failed', event('archive.failed'), ['a', 'email']],
    ['a test event: every hook and email', event('test'), ['a', 'b', 'c', 'd', 'email']],
  ])('%s', (_name, e, expected) => {
    expect(short(e)).toEqual(expected);
  });

  it('sends nothing but tests to a hook disabled by a 410', () => {
    expect(short(event('run.failed', { status: 'failed' }), ['http://a.test/all'])).toEqual(['d', 'email']);
  });
});

describe('signatures', () => {
  const body = '{"event":"test"}';
  it('verifies its own header, and refuses another body, another secret and an old timestamp', () => {
    const now = 1_770_000_000;
    const header = signatureHeader('k', now, body);
    expect(verifySignature(header, body, 'k', now)).toBe(true);
    expect(verifySignature(header, `${body} `, 'k', now)).toBe(false);
    expect(verifySignature(header, body, 'other', now)).toBe(false);
    expect(verifySignature(header, body, 'k', now + 301)).toBe(false);
    expect(verifySignature('t=1,v1=zz', body, 'k', 1)).toBe(false);
  });
});
