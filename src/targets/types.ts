/**
 * Where archived backups go (issue 12): one small interface, two adapters (local folder, S3).
 * A target stores objects under keys `<env>/<name>` (relative to its folder or prefix) with the
 * metadata that lets a run prove an upload and a restore prove its bytes. It never holds
 * credentials: the S3 adapter takes them from the AWS SDK's default chain.
 */
import type { Readable } from 'node:stream';

/** What an archived object says about itself (written with it, read back by head). */
export interface ObjectMeta {
  /** The backup's file name on disk. */
  originalName: string;
  originalSize: number;
  originalMtimeMs: number;
  /** SHA-256 (hex) of the original bytes. */
  originalSha256: string;
  /** SHA-256 (hex) of the stored bytes (the compressed stream when compressed). */
  sha256: string;
  compression: 'gzip' | 'none';
  /** The environment folder the backup came from (`default` for files directly in backups/). */
  env: string;
  runId: string;
}

/** One object as a listing shows it. */
export interface StoredObject {
  /** Relative to the target's folder or prefix: `<env>/<name>`. */
  key: string;
  size: number;
  lastModifiedMs: number;
}

/** One object with its metadata (null when it was not written by cleanup-worker, or is unreadable). */
export interface ObjectHead extends StoredObject {
  meta: ObjectMeta | null;
}

/** What `put` sent: the SHA-256 (hex) of the bytes as they were streamed, and their count. */
export interface PutResult {
  digest: string;
  size: number;
}

/** How `verify` proved (or disproved) an object: the store's own checksum, or reading it back. */
export interface VerifyResult {
  ok: boolean;
  how: 'checksum' | 'read-back';
  /** What the target reported (hex) when it differs, for the message. */
  actual?: string;
}

/** The interface the archive pipeline and restore use; see local.ts and s3.ts. */
export interface ArchiveTarget {
  /** How the target is named in reasons and messages: `s3://bucket/prefix/`, `archive/backups/`. Never a credential. */
  readonly name: string;
  /** Where one key lives, as an item target: `s3://bucket/prefix/prod/x.db.gz`. */
  locationOf(key: string): string;
  /**
   * Stores `body` under `key` with `meta`, hashing the bytes as they stream. Never replaces an
   * existing object on purpose (local: refused; S3: conditional write where the store honours it).
   * A failed multipart upload is aborted. Throws TargetError.
   */
  put(key: string, body: Readable, meta: ObjectMeta): Promise<PutResult>;
  /** The object under `key`, or null when there is none. Throws TargetError. */
  head(key: string): Promise<ObjectHead | null>;
  /** Every object whose key starts with `prefix` (`''`: all), in key order. Throws TargetError. */
  list(prefix: string): Promise<StoredObject[]>;
  /** The stored bytes of `key`. Throws TargetError (not found included). */
  get(key: string): Promise<Readable>;
  /** Removes `key` (and its metadata). Throws TargetError. */
  delete(key: string): Promise<void>;
  /** Whether the target holds exactly the bytes whose SHA-256 is `sha256` under `key`. Throws TargetError. */
  verify(key: string, sha256: string): Promise<VerifyResult>;
  /** Releases connections; the target is not used afterwards. */
  close(): void;
}

/** A target operation failed (store down, refused, timed out, full, or a local fs error). */
export class TargetError extends Error {
  readonly code = 'ERR_CLEANUP_ARCHIVE_UNAVAILABLE';
  constructor(
    message: string,
    /** `missing`: no such object; `exists`: an object is already there; `unavailable`: anything else. */
    readonly kind: 'missing' | 'exists' | 'unavailable' = 'unavailable',
  ) {
    super(message);
  }
}

/**
 * Checks a key: `/`-separated, relative, no empty, `.` or `..` component, no backslash or NUL,
 * and no component starting with `.` (dot names are the local adapter's own temp and metadata files).
 * Throws TargetError for a key that could leave the target's folder or prefix.
 */
export function checkKey(key: string): string {
  const parts = key.split('/');
  const bad = key === '' || key.length > 1024 || /[\\\0]/.test(key) || parts.some((p) => p === '' || p.startsWith('.'));
  if (bad) throw new TargetError(`invalid archive key ${JSON.stringify(key)}`, 'missing');
  return key;
}
