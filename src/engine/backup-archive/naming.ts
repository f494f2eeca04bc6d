/** Where a backup goes on the target, and whether it is compressed on the way. */
import path from 'node:path';
import type { FileCandidate } from '../../domain/types.js';
import { isPlainName } from '../fs/byte-names.js';

/** Already compressed: stored as they are (compressing them again gains nothing). */
const COMPRESSED = /\.(gz|zst|xz|bz2)$/i;

/** True for a name that is stored as it is even when compression is on. */
export function isCompressedName(name: string): boolean {
  return COMPRESSED.test(name);
}

/** A backup's place on the target: key `<env>/<name>[.gz]`. */
export interface ArchivePlace {
  key: string;
  env: string;
  name: string;
  compression: 'gzip' | 'none';
}

/**
 * The key of a backup (files directly in backups/ are environment `default`), or the reason it
 * cannot be archived: a name whose bytes are not UTF-8 has no faithful key.
 */
export function placeOf(c: FileCandidate, compress: boolean): ArchivePlace | { reason: string } {
  if (!isPlainName(c.path)) return { reason: 'its name is not valid UTF-8 and cannot be an archive key; not archived' };
  const name = path.posix.basename(c.target);
  const env = c.env ?? 'default';
  const compression = compress && !isCompressedName(name) ? 'gzip' : 'none';
  return { key: `${env}/${name}${compression === 'gzip' ? '.gz' : ''}`, env, name, compression };
}
