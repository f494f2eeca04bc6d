/**
 * The S3 target behind a door: the AWS SDK (about a fifth of a second of module loading, and
 * most of what a CLI run imported) is loaded on the target's first operation, not when the
 * process starts. Names and locations need no SDK; every operation is async anyway.
 */
import type { Readable } from 'node:stream';
import type { S3TargetConfig, S3TargetOptions } from './s3.js';
import { s3TargetName } from './s3-name.js';
import type { ArchiveTarget, ObjectMeta } from './types.js';

/** createS3Target(cfg, options), built on first use. */
export function createLazyS3Target(cfg: S3TargetConfig, options?: S3TargetOptions): ArchiveTarget {
  const name = s3TargetName(cfg);
  let target: ArchiveTarget | null = null;
  let loading: Promise<ArchiveTarget> | null = null;
  const load = () => {
    loading ??= import('./s3.js').then((m) => {
      target = m.createS3Target(cfg, options);
      return target;
    });
    return loading;
  };
  return {
    name,
    locationOf: (key) => `${name}${key}`,
    put: async (key: string, body: Readable, meta: ObjectMeta) => (await load()).put(key, body, meta),
    head: async (key) => (await load()).head(key),
    list: async (prefix) => (await load()).list(prefix),
    get: async (key) => (await load()).get(key),
    delete: async (key) => (await load()).delete(key),
    verify: async (key, sha256) => (await load()).verify(key, sha256),
    close: () => target?.close(),
  };
}
