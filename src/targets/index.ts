/** Builds the configured archive target (config `backup_archive.target`). */
import type { TargetConfig } from '../config/archive-schema.js';
import { createLocalTarget } from './local.js';
import { createLazyS3Target } from './lazy-s3.js';
import type { S3TargetOptions } from './s3.js';
import type { ArchiveTarget } from './types.js';

export type { ArchiveTarget, ObjectHead, ObjectMeta, PutResult, StoredObject, VerifyResult } from './types.js';
export { TargetError } from './types.js';

/** The target `cfg` names, for the data root `root`. Nothing is opened, sent or (S3: the SDK) loaded until first used. */
export function createTarget(root: string, cfg: TargetConfig, s3Options?: S3TargetOptions): ArchiveTarget {
  return cfg.type === 'local' ? createLocalTarget(root, cfg.dir) : createLazyS3Target(cfg, s3Options);
}
