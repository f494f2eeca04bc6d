import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { restoreBackup } from '../../../src/engine/backup-archive/restore.js';
import { createS3Target } from '../../../src/targets/s3.js';
import { exists, s3Config, settingsWith, sha256, writeBackups } from '../../helpers/archive-fixtures.js';
import { runEngine } from '../../helpers/engine-run.js';
import { type Fault, startFaultProxy } from '../../helpers/fault-proxy.js';
import { type S3Fixture, startS3, withEnv } from '../../helpers/s3-server.js';
import { DAY, makeTempDir, NOW, writeFileAt } from '../../helpers/temp-root.js';

const MB = 1024 * 1024;

async function keys(s3: S3Fixture): Promise<string[]> {
  const out = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket }));
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort();
}

function bytesOf(root: string, rel: string): string {
  return sha256(readFileSync(path.join(root, rel)));
}

describe('archiving backups to S3 (s3rver, the real SDK)', () => {
  it('archives a 6 MB backup (multipart) and a small one, verified, then restores both byte for byte', async () => {
    const s3 = await startS3();
    const root = makeTempDir();
    const small = writeBackups(root, 'prod', 2, 2000);
    const big = { rel: 'backups/prod/architect_20260101_000000.db', bytes: Buffer.alloc(0) };
    big.bytes = Buffer.concat([Buffer.from('big'), (await import('node:crypto')).randomBytes(6 * MB)]);
    writeFileAt(root, big.rel, NOW - 40 * DAY, big.bytes);
    const settings = settingsWith(root, s3Config(s3.endpoint, s3.bucket));
    const r = await runEngine(settings);

    expect(r.errors).toEqual([]);
    expect(r.items.map((i) => [i.target, i.action]).sort()).toEqual([[big.rel, 'archive'], [small[1]?.rel, 'archive']].sort());
    expect(r.items[0]?.reason).toMatch(/^older than the 1 most recent prod backups; archived to s3:\/\/archive-test\/architect\/prod\/architect_\d{8}_\d{6}\.db\.gz$/);
    expect(r.stats.backups_deleted).toBe(2);
    expect(exists(root, big.rel)).toBe(false);
    expect(await keys(s3)).toEqual([`architect/prod/${path.basename(big.rel)}.gz`, `architect/prod/${path.basename(small[1]?.rel ?? '')}.gz`].sort());

    const target = createS3Target({ bucket: s3.bucket, prefix: 'architect/', endpoint: s3.endpoint, force_path_style: true });
    try {
      for (const w of [big, small[1]]) {
        const name = path.basename(w?.rel ?? '');
        const restored = await restoreBackup(settings, target, { env: 'prod', name });
        expect(restored).toMatchObject({ restoredTo: w?.rel, bytes: w?.bytes.length, sha256: sha256(w?.bytes ?? Buffer.alloc(0)) });
        expect(bytesOf(root, w?.rel ?? '')).toBe(sha256(w?.bytes ?? Buffer.alloc(0)));
      }
    } finally {
      target.close();
    }
  });

  it('archive_policy deletes the archived copies beyond keep_last in the same run, with reasons; the dry run predicts it', async () => {
    const s3 = await startS3();
    const root = makeTempDir();
    const written = writeBackups(root, 'prod', 5, 500);
    const settings = settingsWith(root, s3Config(s3.endpoint, s3.bucket, { archive_policy: { prod: { keep_last: 2 } } }));
    const dry = await runEngine(settings, { dryRun: true });
    expect(await keys(s3)).toEqual([]);
    const real = await runEngine(settings);
    expect(real.errors).toEqual([]);
    const view = (r: typeof real) => r.items.map((i) => `${i.action} ${i.target} ${i.reason}`).sort();
    expect(view(real)).toEqual(view(dry));
    const deleted = real.items.filter((i) => i.action === 'delete').map((i) => i.target).sort();
    const name = (w: { rel: string }) => `${path.basename(w.rel)}.gz`;
    expect(deleted).toEqual([written[3], written[4]].map((w) => `s3://archive-test/architect/prod/${name(w as { rel: string })}`).sort());
    expect(real.items.find((i) => i.action === 'delete')?.reason).toBe(
      'older than the 2 most recent archived prod copies (archive_policy.prod.keep_last 2) on s3://archive-test/architect/',
    );
    expect(await keys(s3)).toEqual([written[1], written[2]].map((w) => `architect/prod/${name(w as { rel: string })}`).sort());
    // Only the newest backup is left locally; nothing else in the bucket was touched.
    expect(written.map((w) => exists(root, w.rel))).toEqual([true, false, false, false, false]);
  });

  const faults: Array<{ name: string; expect: RegExp; setup(s3: S3Fixture): Promise<string>; env?: Record<string, string> }> = [
    {
      name: 'nothing listens at the endpoint',
      expect: /cannot be reached \(ECONNREFUSED\)/,
      async setup(s3) {
        const p = await startFaultProxy(s3.port);
        await p.close();
        return p.endpoint;
      },
    },
    { name: 'the store answers 500 to everything', expect: /head failed: the store answered 500/, setup: async (s3) => (await proxyWith(s3, () => ({ status: 500, code: 'InternalError' }))).endpoint },
    {
      name: 'the store answers 503 to uploads',
      expect: /answered 503 \(SlowDown\)/,
      setup: async (s3) => (await proxyWith(s3, (r) => (r.method === 'PUT' ? { status: 503, code: 'SlowDown' } : 'pass'))).endpoint,
    },
    { name: 'the store hangs past the timeout', expect: /did not answer in time \(timeout\)/, setup: async (s3) => (await proxyWith(s3, () => 'hang')).endpoint },
    { name: 'the store refuses the credentials (403)', expect: /head failed: the store refused the credentials or the permission \(HTTP 403\)/, setup: async (s3) => s3.endpoint, env: { AWS_ACCESS_KEY_ID: 'WRONG-KEY-ID', AWS_SECRET_ACCESS_KEY: 'wrong-secret-do-not-print' } },
    { name: 'the store is full (507)', expect: /the store is full or refused the size/, setup: async (s3) => (await proxyWith(s3, (r) => (r.method === 'PUT' ? { status: 507, code: 'InsufficientStorage' } : 'pass'))).endpoint },
    {
      name: 'the store damages the bytes it stores',
      expect: /does not hold an identical copy after the upload .* by read-back.*the copy was removed and the backup stays/,
      setup: async (s3) => (await proxyWith(s3, (r) => (r.method === 'PUT' ? 'corrupt' : 'pass'))).endpoint,
    },
  ];

  for (const f of faults) {
    it(`${f.name}: an error per backup, every backup stays, the run goes on, no damaged object is counted, the next run converges`, async () => {
      const s3 = await startS3();
      const root = makeTempDir();
      const written = writeBackups(root, 'prod', 3, 1000);
      writeFileAt(root, 'logs/old.log', NOW - 90 * DAY, 'old log');
      const before = written.map((w) => bytesOf(root, w.rel));
      const endpoint = await f.setup(s3);
      const r = await withEnv(f.env ?? {}, () => runEngine(settingsWith(root, s3Config(endpoint, s3.bucket))));

      expect(r.status).toBe('partial');
      expect(r.items.filter((i) => i.category === 'backups')).toEqual([]);
      expect(r.errors.map((e) => e.target).sort()).toEqual([written[1]?.rel, written[2]?.rel].sort());
      expect(r.errors[0]?.message).toMatch(f.expect);
      expect(r.errors.every((e) => e.message.endsWith('the backup stays'))).toBe(true);
      expect(written.map((w) => bytesOf(root, w.rel))).toEqual(before);
      expect(exists(root, 'logs/old.log')).toBe(false); // the run went on
      expect(await keys(s3)).toEqual([]);
      if (f.env) expect(JSON.stringify(r)).not.toContain(f.env.AWS_SECRET_ACCESS_KEY);

      const next = await runEngine(settingsWith(root, s3Config(s3.endpoint, s3.bucket)));
      expect(next.errors).toEqual([]);
      expect(next.items.map((i) => i.target).sort()).toEqual([written[1]?.rel, written[2]?.rel].sort());
      expect(await keys(s3)).toHaveLength(2);
    });
  }

  it('a bucket that does not exist: an error per backup naming it, every backup stays', async () => {
    const s3 = await startS3();
    const root = makeTempDir();
    const written = writeBackups(root, 'prod', 2, 100);
    const r = await runEngine(settingsWith(root, s3Config(s3.endpoint, 'no-such-bucket')));
    expect(r.errors).toEqual([{ category: 'backups', target: written[1]?.rel, message: expect.stringMatching(/s3:\/\/no-such-bucket\/architect\/.*the bucket does not exist \(NoSuchBucket\); the backup stays/) }]);
    expect(written.every((w) => exists(root, w.rel))).toBe(true);
  });

  it('the server stopped in the middle of a multipart upload: the backup stays; after a restart the next run archives it', async () => {
    const s3 = await startS3();
    const root = makeTempDir();
    writeBackups(root, 'prod', 1, 10);
    const rel = 'backups/prod/architect_20260101_000000.db';
    const bytes = (await import('node:crypto')).randomBytes(6 * MB);
    writeFileAt(root, rel, NOW - 40 * DAY, bytes);
    let stopping: Promise<void> | null = null;
    const proxy = await startFaultProxy(s3.port, (r) => {
      if (r.method === 'PUT' && r.url.includes('partNumber=2')) {
        stopping ??= s3.stop();
        return 'reset';
      }
      return 'pass';
    });
    const r = await runEngine(settingsWith(root, s3Config(proxy.endpoint, s3.bucket)));
    await stopping;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/upload failed: the store cannot be reached/);
    expect(sha256(readFileSync(path.join(root, rel)))).toBe(sha256(bytes));

    await s3.restart();
    expect(await keys(s3)).toEqual([]);
    const next = await runEngine(settingsWith(root, s3Config(s3.endpoint, s3.bucket)));
    expect(next.errors).toEqual([]);
    expect(exists(root, rel)).toBe(false);
    const target = createS3Target({ bucket: s3.bucket, prefix: 'architect/', endpoint: s3.endpoint, force_path_style: true });
    try {
      await restoreBackup(settingsWith(root, s3Config(s3.endpoint, s3.bucket)), target, { env: 'prod', name: path.basename(rel) });
    } finally {
      target.close();
    }
    expect(sha256(readFileSync(path.join(root, rel)))).toBe(sha256(bytes));
  });

  it('never writes a credential into the result, the run history or the log', async () => {
    const s3 = await startS3();
    const root = makeTempDir();
    writeBackups(root, 'prod', 2, 100);
    const log: string[] = [];
    const secret = 'sEcReT-42-never-print-me';
    const r = await withEnv({ AWS_SECRET_ACCESS_KEY: secret }, () => runEngine(settingsWith(root, s3Config(s3.endpoint, s3.bucket)), { log }));
    expect(r.items).toHaveLength(1);
    expect(log.length).toBeGreaterThan(0);
    expect(JSON.stringify(r)).not.toContain(secret);
    expect(log.join('')).not.toContain(secret);
    expect(readFileSync(path.join(root, '.cleanup/state.db')).includes(secret)).toBe(false);
  });
});

function proxyWith(s3: S3Fixture, rule: (r: { method: string; url: string }) => Fault) {
  return startFaultProxy(s3.port, rule);
}
