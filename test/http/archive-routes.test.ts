import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { s3Config, sha256, writeBackups } from '../helpers/archive-fixtures.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { withEnv } from '../helpers/s3-server.js';
import { makeHttpFixture } from '../helpers/http-app.js';
import { NOW } from '../helpers/temp-root.js';

const LOCAL = { backup_retention: 1, backup_archive: { target: { type: 'local', dir: 'archive/backups' } } };

async function archivedFixture() {
  const f = makeHttpFixture({ env: { CLEANUP_CONFIG: writeConfig(LOCAL) } });
  const prod = writeBackups(f.root, 'prod', 3, 1000);
  const qa = writeBackups(f.root, 'qa', 2, 1000);
  const run = await f.engine.runOnce({ trigger: 'api', dryRun: false, now: NOW });
  expect(run.errors).toEqual([]);
  return { f, prod, qa };
}

describe('GET /api/system/cleanup/archive', () => {
  it('lists what the target holds, per environment, with sizes and dates', async () => {
    const { f, prod } = await archivedFixture();
    const all = await f.app.inject({ method: 'GET', url: '/api/system/cleanup/archive' });
    expect(all.statusCode).toBe(200);
    expect(all.json()).toMatchObject({ success: true, target: 'archive/backups/', total: 3 });
    const res = await f.app.inject({ method: 'GET', url: '/api/system/cleanup/archive?env=PROD' });
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.objects.map((o: { name: string }) => o.name).sort()).toEqual([prod[1], prod[2]].map((w) => `${path.basename(w?.rel ?? '')}.gz`).sort());
    expect(body.objects[0]).toMatchObject({ env: 'prod', size: expect.any(Number), last_modified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect((await f.app.inject({ method: 'GET', url: '/api/system/cleanup/archive?limit=0' })).statusCode).toBe(400);
  });

  it('is a 404 when no archive is configured, and a 502 naming the target when it is down', async () => {
    const plain = makeHttpFixture();
    expect((await plain.app.inject({ method: 'GET', url: '/api/system/cleanup/archive' })).json()).toMatchObject({ error: { code: 'ERR_CLEANUP_NOT_FOUND' } });
    const down = makeHttpFixture({ env: { CLEANUP_CONFIG: writeConfig(s3Config('http://127.0.0.1:9', 'archive-test')) } });
    const list = () => down.app.inject({ method: 'GET', url: '/api/system/cleanup/archive' });
    const noKeys = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'cw-test-no-such-profile', AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' };
    const without = await withEnv(noKeys, list);
    expect(without.statusCode).toBe(502);
    expect(without.json().error.message).toMatch(/list failed: no AWS credentials found/);
    const res = await withEnv({ AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_EC2_METADATA_DISABLED: 'true' }, list);
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toEqual({ code: 'ERR_CLEANUP_ARCHIVE_UNAVAILABLE', message: expect.stringMatching(/^s3:\/\/archive-test\/architect\/: list failed: the store cannot be reached \(ECONNREFUSED\)/) });
  });
});

describe('POST /api/system/cleanup/archive/restore', () => {
  it('puts an archived backup back byte for byte; restoring it again is a 409 that overwrites nothing', async () => {
    const { f, prod } = await archivedFixture();
    const name = path.basename(prod[1]?.rel ?? '');
    const res = await f.app.inject({ method: 'POST', url: '/api/system/cleanup/archive/restore', payload: { env: 'prod', name } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      success: true,
      key: `prod/${name}.gz`,
      from: `archive/backups/prod/${name}.gz`,
      restored_to: prod[1]?.rel,
      bytes: prod[1]?.bytes.length,
      sha256: sha256(prod[1]?.bytes ?? Buffer.alloc(0)),
    });
    expect(readFileSync(path.join(f.root, prod[1]?.rel ?? '')).equals(prod[1]?.bytes ?? Buffer.alloc(0))).toBe(true);

    writeFileSync(path.join(f.root, prod[1]?.rel ?? ''), 'changed by the operator');
    const again = await f.app.inject({ method: 'POST', url: '/api/system/cleanup/archive/restore', payload: { env: 'prod', name: `${name}.gz` } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('ERR_CLEANUP_EXISTS');
    expect(readFileSync(path.join(f.root, prod[1]?.rel ?? ''), 'utf8')).toBe('changed by the operator');
  });

  it('restores into another folder under the root; refuses the state folder, unknown fields, names with "/" and unknown backups', async () => {
    const { f, prod } = await archivedFixture();
    const name = path.basename(prod[2]?.rel ?? '');
    const post = (payload: object) => f.app.inject({ method: 'POST', url: '/api/system/cleanup/archive/restore', payload });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(f.root, 'restored'));
    const ok = await post({ env: 'prod', name, to: 'restored' });
    expect(ok.json()).toMatchObject({ restored_to: `restored/${name}` });
    expect((await post({ env: 'prod', name, to: '.cleanup' })).json()).toMatchObject({ error: { code: 'ERR_CLEANUP_BAD_REQUEST', message: expect.stringMatching(/inside paths.state/) } });
    expect((await post({ env: 'prod', name, to: '../outside' })).statusCode).toBe(400);
    expect((await post({ env: 'prod', name, extra: 1 })).json().error.message).toMatch(/unknown field "extra"/);
    expect((await post({ env: 'prod', name: '../x' })).statusCode).toBe(400);
    expect((await post({ env: 'prod', name: 'never-archived.db' })).statusCode).toBe(404);
    expect(readdirSync(path.join(f.root, '.cleanup')).filter((n) => n.endsWith('.db') && n !== 'state.db')).toEqual([]);
  });

  it('a damaged archived copy is a 502 and restores nothing (no file, no temp file)', async () => {
    const { f, prod } = await archivedFixture();
    const name = path.basename(prod[1]?.rel ?? '');
    const stored = path.join(f.root, `archive/backups/prod/${name}.gz`);
    const bytes = readFileSync(stored);
    bytes[bytes.length - 20] = (bytes[bytes.length - 20] ?? 0) ^ 0xff;
    writeFileSync(stored, bytes);
    const res = await f.app.inject({ method: 'POST', url: '/api/system/cleanup/archive/restore', payload: { env: 'prod', name } });
    expect(res.statusCode).toBe(502);
    expect(res.json().error.code).toBe('ERR_CLEANUP_ARCHIVE_CORRUPT');
    expect(readdirSync(path.join(f.root, 'backups/prod'))).toEqual([path.basename(prod[0]?.rel ?? '')]);
  });
});
