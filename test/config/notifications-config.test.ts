/** The `notifications` and `public_url` config keys and CLEANUP_METRICS_PUBLIC, validated like every setting. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { missingSecrets } from '../../src/config/notifications.js';
import { ConfigError, loadSettings } from '../../src/config/settings.js';
import { makeTempDir } from '../helpers/temp-root.js';

const hook = { url: 'https://hooks.example.com/cleanup', events: ['run.failed'], secret_env: 'HOOK_SECRET' };

function load(config: object, env: Record<string, string> = {}) {
  const dir = makeTempDir('cw-notif-cfg-');
  const file = path.join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  return loadSettings({ env: { CLEANUP_SCHEDULE: 'off', ...env }, root: dir, configFile: file });
}

describe('notifications config', () => {
  it.each([
    ['a URL that is not http(s)', { webhooks: [{ ...hook, url: 'ftp://hooks.example.com/x' }] }, 'notifications.webhooks.0.url'],
    ['an unknown event', { webhooks: [{ ...hook, events: ['run.exploded'] }] }, 'notifications.webhooks.0.events.0'],
    ['a secret written in the file', { webhooks: [{ ...hook, secret: 'hunter2' }] }, 'unknown field "notifications.webhooks.0.secret"'],
    ['a secret_env that is not a variable name', { webhooks: [{ ...hook, secret_env: 'my secret' }] }, 'notifications.webhooks.0.secret_env'],
    ['an empty events list', { webhooks: [{ ...hook, events: [] }] }, 'notifications.webhooks.0.events'],
    ['an unknown email key', { email: { host: 'mx', from: 'a@b.c', to: ['d@e.f'], on: 'always', password: 'x' } }, 'unknown field "notifications.email.password"'],
    ['an unknown email mode', { email: { host: 'mx', from: 'a@b.c', to: ['d@e.f'], on: 'sometimes' } }, 'notifications.email.on'],
  ])('refuses %s, naming the field', (_name, notifications, field) => {
    expect(() => load({ notifications })).toThrow(ConfigError);
    expect(() => load({ notifications })).toThrow(field);
  });

  it.each([
    ['a URL holding a password', { webhooks: [{ ...hook, url: 'https://u:p@hooks.example.com/' }] }, 'notifications.webhooks.0.url must not hold a user or password'],
    ['freed_over_mb mode without its number', { email: { host: 'mx', from: 'a@b.c', to: ['d@e.f'], on: 'freed_over_mb' } }, 'notifications.email.freed_over_mb is required'],
    ['user_env without pass_env', { email: { host: 'mx', from: 'a@b.c', to: ['d@e.f'], on: 'always', user_env: 'U' } }, 'user_env and pass_env go together'],
  ])('refuses %s', (_name, notifications, message) => {
    expect(() => load({ notifications })).toThrow(message);
  });

  it('refuses a public_url that is not http(s)', () => {
    expect(() => load({ public_url: 'javascript:alert(1)' })).toThrow('public_url');
  });

  it('reads secrets from the variables named, and never prints them (JSON, inspect, string)', () => {
    const s = load(
      { notifications: { webhooks: [hook], email: { host: 'mx', from: 'a@b.c', to: ['d@e.f'], on: 'failure', user_env: 'SMTP_USER', pass_env: 'SMTP_PASS' } }, public_url: 'https://cw.example.com/' },
      { HOOK_SECRET: 'whsec-very-secret', SMTP_USER: 'mailer', SMTP_PASS: 'smtp-very-secret' },
    );
    expect(s.notifications.webhooks[0]?.secret?.reveal()).toBe('whsec-very-secret');
    expect(s.notifications.email?.auth?.pass?.reveal()).toBe('smtp-very-secret');
    for (const text of [JSON.stringify(s), inspect(s, { depth: 10 }), `${s.notifications.webhooks[0]?.secret}`]) {
      expect(text).not.toContain('very-secret');
    }
    expect(s.publicUrl).toBe('https://cw.example.com');
    expect(s.notifications.email).toMatchObject({ port: 587, secure: false, starttls: 'opportunistic', on: 'failure' });
    expect(missingSecrets(s.notifications)).toEqual([]);
  });

  it('names the variables a process lacks (the server refuses to start then)', () => {
    const s = load({ notifications: { webhooks: [hook], email: { host: 'mx', from: 'a@b.c', to: ['d@e.f'], on: 'always', user_env: 'U', pass_env: 'P' } } });
    expect(missingSecrets(s.notifications)).toEqual(['HOOK_SECRET', 'U', 'P']);
  });

  it('reads CLEANUP_METRICS_PUBLIC as a boolean and refuses anything else', () => {
    expect(load({}, { CLEANUP_METRICS_PUBLIC: 'true' }).metricsPublic).toBe(true);
    expect(load({}).metricsPublic).toBe(false);
    expect(() => load({}, { CLEANUP_METRICS_PUBLIC: 'sure' })).toThrow('CLEANUP_METRICS_PUBLIC must be true or false');
  });
});
