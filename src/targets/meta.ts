/**
 * Object metadata as both adapters store it: S3 user metadata (`x-amz-meta-cw-*`, ASCII only,
 * so names are percent-encoded) and the local adapter's sidecar file (the same map as JSON).
 * Reading is strict: a map that is not exactly ours reads as null (not written by us).
 */
import type { ObjectMeta } from './types.js';

const HEX64 = /^[0-9a-f]{64}$/;
const COUNT = /^(0|[1-9]\d{0,15})$/;

/** The metadata as a flat string map (keys lower-case, values ASCII). */
export function encodeMeta(meta: ObjectMeta): Record<string, string> {
  return {
    'cw-version': '1',
    'cw-original-name': encodeURIComponent(meta.originalName),
    'cw-original-size': String(meta.originalSize),
    'cw-original-mtime': String(Math.round(meta.originalMtimeMs)),
    'cw-original-sha256': meta.originalSha256,
    'cw-sha256': meta.sha256,
    'cw-compression': meta.compression,
    'cw-env': encodeURIComponent(meta.env),
    'cw-run-id': encodeURIComponent(meta.runId),
  };
}

/** The metadata read back from a string map, or null when any field is missing or malformed. */
export function decodeMeta(map: Readonly<Record<string, string | undefined>> | undefined): ObjectMeta | null {
  if (map?.['cw-version'] !== '1') return null;
  const sha256 = map['cw-sha256'] ?? '';
  const originalSha256 = map['cw-original-sha256'] ?? '';
  const size = map['cw-original-size'] ?? '';
  const mtime = map['cw-original-mtime'] ?? '';
  const compression = map['cw-compression'];
  if (!HEX64.test(sha256) || !HEX64.test(originalSha256) || !COUNT.test(size) || !COUNT.test(mtime)) return null;
  if (compression !== 'gzip' && compression !== 'none') return null;
  try {
    return {
      originalName: decodeURIComponent(map['cw-original-name'] ?? ''),
      originalSize: Number(size),
      originalMtimeMs: Number(mtime),
      originalSha256,
      sha256,
      compression,
      env: decodeURIComponent(map['cw-env'] ?? ''),
      runId: decodeURIComponent(map['cw-run-id'] ?? ''),
    };
  } catch {
    return null; // a malformed percent-encoding
  }
}
