/** Fixtures for the archive tests: backups with known bytes, settings with backup_archive, digests. */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Settings } from '../../src/config/settings.js';
import { writeConfig } from './fs-fixtures.js';
import { DAY, NOW, settingsFor, writeFileAt } from './temp-root.js';

/** `n` backups of `env` named with a timestamp one day apart (index 0 newest), each with its own random bytes. */
export function writeBackups(root: string, env: string, n: number, size = 4096, ext = 'db'): { rel: string; bytes: Buffer }[] {
  return Array.from({ length: n }, (_, i) => {
    const at = NOW - (i + 1) * DAY;
    const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
    const rel = `backups/${env}/architect_${stamp}.${ext}`;
    const bytes = Buffer.concat([Buffer.from(`backup ${env} ${i}\n`), randomBytes(size)]);
    writeFileAt(root, rel, at, bytes);
    return { rel, bytes };
  });
}

/** Settings for `root` with a config file holding `config` (e.g. `backup_archive`, `archive_policy`). */
export function settingsWith(root: string, config: object): Settings {
  return settingsFor(root, {}, writeConfig(config));
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** The bytes of a local archived copy, decompressed when it is a `.gz`. */
export function readArchived(root: string, rel: string): Buffer {
  const raw = readFileSync(path.join(root, rel));
  return rel.endsWith('.gz') ? gunzipSync(raw) : raw;
}

export function exists(root: string, rel: string): boolean {
  return existsSync(path.join(root, rel));
}

/** `backup_archive` + retention config for an S3 target at `endpoint` (1 s timeout, prefix architect/). */
export function s3Config(endpoint: string, bucket: string, extra: object = {}): object {
  return {
    backup_retention: { prod: 1 },
    backup_archive: { compress: true, target: { type: 's3', bucket, prefix: 'architect/', region: 'us-east-1', endpoint, force_path_style: true, timeout_seconds: 1 } },
    ...extra,
  };
}
