/**
 * Email notifications with a real SMTP server on loopback (smtp-server; what arrived is read
 * with mailparser): plain, STARTTLS, login required and accepted, login refused, server down,
 * server that never answers; and the message's text and HTML checked line by line.
 */
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxEvent } from '../../src/domain/notifications.js';
import { emptyStats } from '../../src/domain/stats.js';
import { renderEmail } from '../../src/notify/email-render.js';
import { makeNotifyFixture } from '../helpers/notify-fixture.js';
import { startSmtp } from '../helpers/receivers.js';

const email = (port: number, more: object = {}) => ({ host: '127.0.0.1', port, from: 'cleanup@example.com', to: ['ops@example.com', 'dev@example.com'], on: 'always', ...more });
const AUTH_ENV = { SMTP_USER: 'mailer', SMTP_PASS: 'pa55word' };

describe('email notifications', () => {
  it('sends a plain message with the summary block, the warnings, the top categories and the run link', async () => {
    const smtp = await startSmtp();
    const f = makeNotifyFixture({ email: email(smtp.port, { starttls: 'off' }) }, { config: { public_url: 'https://cw.example.com/' } });
    const result = await f.run();
    expect(await f.sender().runPass()).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    const [mail] = smtp.mails;
    expect(mail?.secure).toBe(false);
    expect(mail?.to).toEqual(['ops@example.com', 'dev@example.com']);
    expect(mail?.subject).toBe('cleanup-worker: run succeeded (api), 0.00 MB freed');
    expect(mail?.headers.get('cleanup-event')).toBe('run.finished');
    const lines = mail?.text.split('\n') ?? [];
    expect(lines).toContain(`Cleanup run ${result.run_id} succeeded (trigger api).`);
    const summary = lines.indexOf('Cleanup Summary:');
    expect(lines.slice(summary, summary + 8)).toEqual([
      'Cleanup Summary:',
      '  Backups deleted: 0',
      '  Logs deleted: 3',
      '  Tasks deleted: 0',
      '  Errors deleted: 0',
      '  Prompts deleted: 0',
      '  Temp files deleted: 0',
      '  Space freed: 0.00 MB',
    ]);
    expect(lines).toContain('Top categories by space freed:');
    expect(lines).toContain('  logs: 0.00 MB');
    expect(lines).toContain('Warnings:');
    expect(lines).toContain('  database architect.db not found; tasks skipped');
    expect(lines).toContain(`Run details: https://cw.example.com/api/system/cleanup/runs/${result.run_id}`);
    expect(mail?.html).toContain('<pre>Cleanup Summary:\n  Backups deleted: 0');
    expect(mail?.html).toContain(`<a href="https://cw.example.com/api/system/cleanup/runs/${result.run_id}">`);
    expect(f.store.outbox.recentAttempts(5)).toMatchObject([{ channel: 'email', target: 'email', outcome: 'delivered' }]);
  });

  it('upgrades with STARTTLS and logs in when the server requires it', async () => {
    const smtp = await startSmtp({
      onAuth(auth, _session, cb) {
        if (auth.username === 'mailer' && auth.password === 'pa55word') cb(null, { user: auth.username });
        else cb(new Error('Invalid username or password'));
      },
    });
    const f = makeNotifyFixture({ email: email(smtp.port, { starttls: 'required', user_env: 'SMTP_USER', pass_env: 'SMTP_PASS' }) }, { env: AUTH_ENV });
    await f.run();
    await f.sender({ tlsRejectUnauthorized: false }).runPass();
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ secure: true, user: 'mailer' });
  });

  it('records a refused login as a failed attempt to retry, and sends nothing', async () => {
    const smtp = await startSmtp({ onAuth: (_auth, _session, cb) => cb(new Error('Invalid username or password')) });
    const f = makeNotifyFixture({ email: email(smtp.port, { starttls: 'required', user_env: 'SMTP_USER', pass_env: 'SMTP_PASS' }) }, { env: AUTH_ENV });
    await f.run();
    await f.sender({ tlsRejectUnauthorized: false }).runPass();
    expect(smtp.mails).toHaveLength(0);
    const [a] = f.store.outbox.recentAttempts(5);
    expect(a).toMatchObject({ channel: 'email', outcome: 'retry', state: 'pending' });
    expect(a?.error).toMatch(/EAUTH.*535/);
  });

  it('refuses to send without TLS when starttls is required and the certificate is not trusted', async () => {
    const smtp = await startSmtp();
    const f = makeNotifyFixture({ email: email(smtp.port, { starttls: 'required' }) });
    await f.run();
    await f.sender().runPass();
    expect(smtp.mails).toHaveLength(0);
    expect(f.store.outbox.recentAttempts(5)[0]?.error).toMatch(/certificate/i);
  });

  it('records a server that is down as a failed attempt to retry', async () => {
    const smtp = await startSmtp();
    const port = smtp.port;
    await new Promise<void>((r) => smtp.server.close(() => r()));
    const f = makeNotifyFixture({ email: email(port, { starttls: 'off' }) });
    await f.run();
    await f.sender().runPass();
    expect(f.store.outbox.recentAttempts(5)[0]).toMatchObject({ outcome: 'retry', error: expect.stringMatching(/ECONNREFUSED/) });
  });

  const silentServers: { close(): void; sockets: Set<Socket> }[] = [];
  afterEach(() => {
    for (const s of silentServers.splice(0)) {
      for (const c of s.sockets) c.destroy();
      s.close();
    }
  });

  it('gives up on a server that accepts the connection and never answers, within the timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((c) => sockets.add(c));
    silentServers.push({ close: () => silent.close(), sockets });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const f = makeNotifyFixture({ email: email((silent.address() as AddressInfo).port, { starttls: 'off' }) });
    await f.run();
    const t0 = Date.now();
    await f.sender().runPass();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(f.store.outbox.recentAttempts(5)[0]).toMatchObject({ outcome: 'retry', error: expect.stringMatching(/ETIMEDOUT|timeout|no answer/i) });
  });
});

describe('the email text', () => {
  const event: OutboxEvent = {
    id: 1,
    type: 'run.failed',
    run_id: 'r-1',
    occurred_at: '2026-02-07T19:07:40Z',
    run: {
      run_id: 'r-1',
      trigger: 'schedule',
      dry_run: false,
      status: 'failed',
      started_at: '2026-02-07T19:07:36Z',
      finished_at: '2026-02-07T19:07:40Z',
      duration_ms: 4000,
      stats: { ...emptyStats(), backups_deleted: 2, space_freed_mb: 3 },
      items_total: 2,
      errors_total: 12,
      warnings: [],
      errors: [{ category: 'logs', target: 'logs/evil\nForged: line <b>.log', message: 'EACCES' }],
      bytes_by_category: { backups: 2 * 1_048_576, logs: 1_048_576, temp: 0 },
    },
  };

  it('lists errors with names escaped (no forged lines), categories by size, and encodes HTML', () => {
    const m = renderEmail(event, undefined);
    expect(m.subject).toBe('cleanup-worker: run failed (schedule), 3.00 MB freed');
    const lines = m.text.split('\n');
    expect(lines).toContain('Errors (1 of 12):');
    expect(lines).toContain('  logs logs/evil\\nForged: line <b>.log: EACCES');
    expect(lines).not.toContain('Forged: line <b>.log: EACCES');
    expect(lines.slice(lines.indexOf('Top categories by space freed:'), lines.indexOf('Top categories by space freed:') + 3)).toEqual([
      'Top categories by space freed:',
      '  backups: 2.00 MB',
      '  logs: 1.00 MB',
    ]);
    expect(m.text).not.toContain('Run details');
    expect(m.html).toContain('logs/evil\\nForged: line &lt;b&gt;.log');
    expect(m.html).not.toContain('<b>');
  });
});
