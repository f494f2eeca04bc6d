/** The verification snippets of README.md accept what the sender signs and refuse a change. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../src/notify/signing.js';

const doc = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
const block = (lang: string) => {
  const m = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`no ${lang} block`);
  return m[1];
};
const body = '{"event":"test","delivery_id":"d-1","occurred_at":"2026-02-07T19:07:36Z","run":null}';
const secret = 'whsec-docs';

describe('README.md verification snippets', () => {
  it('the Node snippet is at most 10 lines and verifies a real signature, refusing a changed body', () => {
    const code = block('js');
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(10);
    const verify = new Function('require', `${code}\nreturn verify;`)(createRequire(import.meta.url));
    const header = signatureHeader(secret, Math.floor(Date.now() / 1000), body);
    expect(verify(header, body, secret)).toBe(true);
    expect(verify(header, body.replace('test', 'tesT'), secret)).toBe(false);
    expect(verify(signatureHeader(secret, Math.floor(Date.now() / 1000) - 600, body), body, secret)).toBe(false);
  });

  it('the Python snippet verifies a real signature, refusing a changed body', () => {
    const code = block('python');
    expect(code.trim().split('\n').length).toBeLessThanOrEqual(10);
    const header = signatureHeader(secret, Math.floor(Date.now() / 1000), body);
    const script = `${code}\nimport sys\nprint(verify(sys.argv[1], sys.argv[2], sys.argv[3]), verify(sys.argv[1], sys.argv[2] + " ", sys.argv[3]))`;
    const r = spawnSync('python3', ['-c', script, header, body, secret], { encoding: 'utf8' });
    if (r.error) return; // no python3 on this machine: the Node check above still holds
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('True False');
  });
});
