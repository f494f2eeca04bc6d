/**
 * The `s3` target: AWS S3 or any S3-compatible store through the official SDK v3
 * (`{"type": "s3", "bucket", "prefix", "region", "endpoint", "force_path_style"}`).
 * Credentials come only from the SDK's default chain (environment, profiles, instance roles):
 * nothing here reads, stores, logs or returns them. Uploads go through lib-storage's Upload
 * (multipart above the part size; a failed multipart upload is aborted) with a SHA-256 checksum
 * the store checks on receipt where it supports it; `verify` compares the store's full-object
 * SHA-256 when it reports one, else reads the object back and hashes it.
 */
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { DigestTap, hashStream } from './digest.js';
import { decodeMeta, encodeMeta } from './meta.js';
import { normalisePrefix } from './s3-name.js';
import { type ArchiveTarget, checkKey, type ObjectHead, type StoredObject, TargetError, type VerifyResult } from './types.js';

/** The S3 target's settings (config `backup_archive.target` with `type: "s3"`). */
export interface S3TargetConfig {
  bucket: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  force_path_style?: boolean;
  /** Seconds a request may stay silent (connect, or no byte either way) before it fails. */
  timeout_seconds?: number;
}

/** Tuning the tests and the pipeline may set; the config does not. */
export interface S3TargetOptions {
  /** Multipart part size in bytes (S3's minimum, 5 MiB, by default). */
  partSize?: number;
  /** Attempts per request, the SDK's retry with back-off (3 by default). */
  maxAttempts?: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 60;
const MIN_PART = 5 * 1024 * 1024;

/** Creates the S3 target. The client is built now; nothing is sent until the first call. */
export function createS3Target(cfg: S3TargetConfig, options: S3TargetOptions = {}): ArchiveTarget {
  const prefix = normalisePrefix(cfg.prefix);
  const name = `s3://${cfg.bucket}/${prefix}`;
  const timeout = (cfg.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const client = new S3Client({
    region: cfg.region ?? 'us-east-1',
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    forcePathStyle: cfg.force_path_style === true,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true },
    // Checksums only where we ask for them: S3-compatible stores often refuse the SDK's default
    // streaming (aws-chunked) trailers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = cfg.bucket;
  const full = (key: string) => `${prefix}${checkKey(key)}`;
  const fail = (op: string, key: string, err: unknown): never => {
    throw describeFailure(`${name}${key}`, op, err);
  };

  async function head(key: string): Promise<(ObjectHead & { checksum?: string }) | null> {
    try {
      const h = await client.send(new HeadObjectCommand({ Bucket, Key: full(key), ChecksumMode: 'ENABLED' }));
      return {
        key,
        size: h.ContentLength ?? 0,
        lastModifiedMs: h.LastModified?.getTime() ?? 0,
        meta: decodeMeta(h.Metadata),
        checksum: h.ChecksumType === 'COMPOSITE' ? undefined : h.ChecksumSHA256,
      };
    } catch (err) {
      if (statusOf(err) === 404 && nameOf(err) !== 'NoSuchBucket') return null;
      return fail('head', key, err);
    }
  }

  async function get(key: string): Promise<Readable> {
    try {
      const out = await client.send(new GetObjectCommand({ Bucket, Key: full(key) }));
      if (!(out.Body instanceof Readable)) throw new TargetError(`${name}${key}: the store sent no body`);
      return out.Body;
    } catch (err) {
      if (err instanceof TargetError) throw err;
      if (nameOf(err) === 'NoSuchKey') throw new TargetError(`${name}${key} does not exist`, 'missing');
      return fail('download', key, err);
    }
  }

  /** Aborts a started multipart upload; true when there was none or the store confirmed. */
  async function abortMultipart(uploadId: string | undefined, Key: string): Promise<boolean> {
    if (!uploadId) return true;
    try {
      await client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }));
      return true;
    } catch {
      return false;
    }
  }

  return {
    name,
    locationOf: (key) => `${name}${key}`,
    async put(key, body, meta) {
      const tap = new DigestTap();
      const upload = new Upload({
        client,
        params: {
          Bucket,
          Key: full(key),
          Body: body.pipe(tap),
          Metadata: encodeMeta(meta),
          ContentType: meta.compression === 'gzip' ? 'application/gzip' : 'application/octet-stream',
          ChecksumAlgorithm: 'SHA256',
          // Never replace an object (stores that support conditional writes refuse with 412).
          IfNoneMatch: '*',
        },
        partSize: Math.max(MIN_PART, options.partSize ?? MIN_PART),
        queueSize: 2,
        // We abort ourselves (abortMultipart), so a failed abort does not hide why the upload failed.
        leavePartsOnError: true,
      });
      body.once('error', (err) => tap.destroy(err));
      try {
        await upload.done();
      } catch (err) {
        await upload.abort().catch(() => {});
        const aborted = await abortMultipart(upload.uploadId, full(key));
        if (statusOf(err) === 412) throw new TargetError(`${name}${key} already exists; not replaced`, 'exists');
        const failure = describeFailure(`${name}${key}`, 'upload', err);
        throw aborted ? failure : new TargetError(`${failure.message}; aborting the multipart upload failed too (its parts stay until the bucket's AbortIncompleteMultipartUpload rule removes them)`);
      }
      return { digest: tap.digest(), size: tap.bytes };
    },
    head,
    async list(p) {
      const found: StoredObject[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: `${prefix}${p}`, ContinuationToken: token }));
          for (const o of page.Contents ?? []) {
            if (!o.Key?.startsWith(prefix)) continue;
            found.push({ key: o.Key.slice(prefix.length), size: o.Size ?? 0, lastModifiedMs: o.LastModified?.getTime() ?? 0 });
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (err) {
        return fail('list', p, err);
      }
      return found;
    },
    get,
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: full(key) }));
      } catch (err) {
        fail('delete', key, err);
      }
    },
    async verify(key, sha256): Promise<VerifyResult> {
      const h = await head(key);
      if (!h) throw new TargetError(`${name}${key} does not exist`, 'missing');
      if (h.checksum) {
        const actual = Buffer.from(h.checksum, 'base64').toString('hex');
        return actual === sha256 ? { ok: true, how: 'checksum' } : { ok: false, how: 'checksum', actual };
      }
      let digest: string;
      try {
        ({ digest } = await hashStream(await get(key)));
      } catch (err) {
        if (err instanceof TargetError) throw err;
        return fail('read back', key, err);
      }
      return digest === sha256 ? { ok: true, how: 'read-back' } : { ok: false, how: 'read-back', actual: digest };
    },
    close: () => client.destroy(),
  };
}

function statusOf(err: unknown): number | undefined {
  return (err as S3ServiceException | null)?.$metadata?.httpStatusCode;
}

function nameOf(err: unknown): string {
  return (err as Error | null)?.name ?? 'Error';
}

/**
 * One line for a failed call: what, where, and the store's answer, worded for the cases an
 * operator meets (down, slow, refused credentials, no bucket, full). Built from the error's
 * name, status and message only: never from request headers, so never a credential.
 */
export function describeFailure(where: string, op: string, err: unknown): TargetError {
  const e = err as NodeJS.ErrnoException & { $metadata?: { httpStatusCode?: number } };
  const status = statusOf(err);
  const code = e?.code ?? '';
  // A HEAD answer has no body: the SDK names such an error `Unknown`; the status says more.
  const raw = nameOf(err);
  const n = raw === 'Unknown' && status !== undefined ? `HTTP ${status}` : raw;
  let why: string;
  if (['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(code)) why = `the store cannot be reached (${code})`;
  else if (n === 'TimeoutError' || n === 'RequestTimeout' || code === 'ETIMEDOUT') why = 'the store did not answer in time (timeout)';
  else if (n === 'CredentialsProviderError') why = 'no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile or an instance role)';
  else if (status === 403 || ['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'AccessDenied'].includes(n)) why = `the store refused the credentials or the permission (${n})`;
  else if (n === 'NoSuchBucket') why = 'the bucket does not exist (NoSuchBucket)';
  else if (status === 507 || ['EntityTooLarge', 'QuotaExceeded', 'XMinioStorageFull'].includes(n)) why = `the store is full or refused the size (${n})`;
  else if (status !== undefined) why = n === `HTTP ${status}` ? `the store answered ${status}` : `the store answered ${status} (${n})`;
  else why = `${n}: ${String(e?.message ?? err).split('\n')[0]}`;
  return new TargetError(`${where}: ${op} failed: ${why}`);
}
