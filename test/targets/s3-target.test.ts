import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { hashStream } from '../../src/targets/digest.js';
import { createS3Target } from '../../src/targets/s3.js';
import type { ObjectMeta } from '../../src/targets/types.js';
import { sha256 } from '../helpers/archive-fixtures.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { startS3, withEnv } from '../helpers/s3-server.js';

const MB = 1024 * 1024;

function metaFor(bytes: Buffer, name = 'x.db'): ObjectMeta {
  return { originalName: name, originalSize: bytes.length, originalMtimeMs: 1_700_000_000_000, originalSha256: sha256(bytes), sha256: sha256(bytes), compression: 'none', env: 'prod', runId: 'r-1' };
}

describe('the s3 target against a real S3-compatible server (s3rver)', () => {
  it('uploads in one part and in several (6 MB over 5 MB parts), reads back byte for byte, with its metadata', async () => {
    const s3 = await startS3();
    const target = createS3Target({ bucket: s3.bucket, prefix: 'architect', endpoint: s3.endpoint, force_path_style: true });
    try {
      for (const [key, size] of [['prod/small.db', 10_000], ['prod/big.db', 6 * MB]] as const) {
        const bytes = randomBytes(size);
        const sent = await target.put(key, Readable.from([bytes]), metaFor(bytes));
        expect(sent).toEqual({ digest: sha256(bytes), size });
        expect(await target.verify(key, sha256(bytes))).toEqual({ ok: true, how: 'read-back' });
        expect(await hashStream(await target.get(key))).toEqual({ digest: sha256(bytes), size });
        expect((await target.head(key))?.meta).toEqual(metaFor(bytes));
        // Stored under the prefix, as any S3 client sees it.
        const raw = await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `architect/${key}` }));
        expect(raw.ContentLength).toBe(size);
      }
      expect(await target.verify('prod/small.db', '0'.repeat(64))).toMatchObject({ ok: false });
    } finally {
      target.close();
    }
  });

  it('lists by prefix, keys relative to the target prefix, and deletes', async () => {
    const s3 = await startS3();
    const target = createS3Target({ bucket: s3.bucket, prefix: 'a/', endpoint: s3.endpoint, force_path_style: true });
    const other = createS3Target({ bucket: s3.bucket, prefix: 'b/', endpoint: s3.endpoint, force_path_style: true });
    try {
      for (const key of ['prod/1.db', 'prod/2.db', 'qa/1.db']) await target.put(key, Readable.from([Buffer.from(key)]), metaFor(Buffer.from(key)));
      await other.put('prod/3.db', Readable.from([Buffer.from('x')]), metaFor(Buffer.from('x')));
      expect((await target.list('')).map((o) => o.key)).toEqual(['prod/1.db', 'prod/2.db', 'qa/1.db']);
      expect((await target.list('prod/')).map((o) => o.key)).toEqual(['prod/1.db', 'prod/2.db']);
      await target.delete('prod/1.db');
      expect(await target.head('prod/1.db')).toBeNull();
      expect((await other.list('')).map((o) => o.key)).toEqual(['prod/3.db']);
    } finally {
      target.close();
      other.close();
    }
  });

  it('aborts a multipart upload whose second part fails (503): AbortMultipartUpload is sent, no object exists', async () => {
    const s3 = await startS3();
    const proxy = await startFaultProxy(s3.port, (r) => (r.method === 'PUT' && r.url.includes('partNumber=2') ? { status: 503, code: 'SlowDown' } : 'pass'));
    const target = createS3Target({ bucket: s3.bucket, endpoint: proxy.endpoint, force_path_style: true }, { maxAttempts: 1 });
    const bytes = randomBytes(6 * MB);
    try {
      await expect(target.put('prod/big.db', Readable.from([bytes]), metaFor(bytes))).rejects.toThrow(/upload failed: the store answered 503/);
      expect(proxy.seen.some((r) => r.method === 'DELETE' && r.url.includes('uploadId='))).toBe(true);
      await expect(s3.client().send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'prod/big.db' }))).rejects.toThrow();
    } finally {
      target.close();
    }
  });

  it('names each failure of the store and never a credential: refused key (403), missing bucket, 500, a hang past the timeout, nothing listening', async () => {
    const s3 = await startS3();
    const bytes = Buffer.from('backup');
    const put = (endpoint: string, bucket = s3.bucket) => {
      const t = createS3Target({ bucket, endpoint, force_path_style: true, timeout_seconds: 1 }, { maxAttempts: 2 });
      return t.put('prod/x.db', Readable.from([bytes]), metaFor(bytes)).finally(() => t.close());
    };
    await withEnv({ AWS_ACCESS_KEY_ID: 'NOT-A-KEY', AWS_SECRET_ACCESS_KEY: 'very-secret-value' }, async () => {
      const err = await put(s3.endpoint).catch((e: Error) => e);
      expect(String((err as Error).message)).toMatch(/the store refused the credentials or the permission \(InvalidAccessKeyId\)/);
      expect(JSON.stringify(err)).not.toContain('very-secret-value');
      expect((err as Error).message).not.toContain('very-secret-value');
    });
    await expect(put(s3.endpoint, 'no-such-bucket')).rejects.toThrow(/the bucket does not exist \(NoSuchBucket\)/);
    const p500 = await startFaultProxy(s3.port, () => ({ status: 500, code: 'InternalError' }));
    await expect(put(p500.endpoint)).rejects.toThrow(/the store answered 500 \(InternalError\)/);
    expect(p500.seen.length).toBe(2); // the SDK retried once, as configured
    const hang = await startFaultProxy(s3.port, () => 'hang');
    const started = Date.now();
    await expect(put(hang.endpoint)).rejects.toThrow(/did not answer in time \(timeout\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const closed = await startFaultProxy(s3.port);
    const deadEndpoint = closed.endpoint;
    await closed.close();
    await expect(put(deadEndpoint)).rejects.toThrow(/cannot be reached \(ECONNREFUSED\)/);
  });
});
