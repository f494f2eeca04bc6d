/**
 * Restore (issue 12 section 3): fetch an archived backup, check both digests (the stored bytes,
 * and the original bytes after decompression), and put it back under its original name, never
 * overwriting: it is written to a hidden temp name in the destination folder, synced, then linked
 * to its name (link(2) fails if anything is there). A mismatch leaves nothing behind.
 * Also the listing the API shows (`GET /archive`).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, createWriteStream, realpathSync } from 'node:fs';
import { link, lstat, realpath, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Settings } from '../../config/settings.js';
import { ConfigError } from '../../domain/errors.js';
import { ensureDirUnderRoot, openNoFollow, resolveUnderRoot, syncFolder } from '../../safety/safe-path.js';
import { DigestTap } from '../../targets/digest.js';
import type { ArchiveTarget, ObjectHead } from '../../targets/index.js';
import { ArchiveCorruptError, ArchiveNotFoundError, RestoreExistsError } from './errors.js';

export interface RestoreRequest {
  env: string;
  /** The backup's name (`x.db`) or its stored name (`x.db.gz`). */
  name: string;
  /** Where to restore: a root-relative folder (API) or an absolute one (CLI `--to`); default backups/<env>/. */
  to?: { rel: string } | { abs: string };
}

export interface RestoreResult {
  key: string;
  /** Where it came from: `s3://bucket/prefix/prod/x.db.gz`. */
  from: string;
  /** Where it is now: root-relative when under the root, else absolute. */
  restoredTo: string;
  bytes: number;
  /** SHA-256 (hex) of the restored bytes, as recorded when it was archived. */
  sha256: string;
}

/** One archived copy as the listing shows it. */
export interface ArchiveListing {
  key: string;
  env: string;
  name: string;
  size: number;
  lastModifiedMs: number;
}

/** Every archived copy (of `env` only, when given; matched case-insensitively), newest key order. */
export async function listArchived(target: ArchiveTarget, env?: string): Promise<ArchiveListing[]> {
  const all = await target.list('');
  return all.flatMap((o) => {
    const [e = '', name = '', ...rest] = o.key.split('/');
    if (rest.length > 0 || (env !== undefined && e.toLowerCase() !== env.toLowerCase())) return [];
    return [{ key: o.key, env: e, name, size: o.size, lastModifiedMs: o.lastModifiedMs }];
  });
}

/**
 * Restores `req` from `target`. Throws ArchiveNotFoundError, RestoreExistsError (nothing
 * overwritten), ArchiveCorruptError (nothing left behind), ConfigError (bad name or folder),
 * TargetError (the target failed).
 */
export async function restoreBackup(settings: Settings, target: ArchiveTarget, req: RestoreRequest): Promise<RestoreResult> {
  checkName(req.env, 'env');
  checkName(req.name, 'name');
  const head = await findObject(target, req.env, req.name);
  const meta = head.meta;
  if (!meta) throw new ArchiveCorruptError(`${target.locationOf(head.key)} was not written by cleanup-worker (no recorded digest); not restored`);
  checkName(meta.originalName, 'the recorded name');
  if (SIDE_FILE.test(meta.originalName)) throw new ArchiveCorruptError(`${target.locationOf(head.key)} records the name ${JSON.stringify(meta.originalName)}, which is not a backup name (a temporary or SQLite side file); not restored`);
  const dir = await destination(settings, req);
  const final = path.join(dir, meta.originalName);
  const shown = showPath(settings, final);
  if (await lstat(final).catch(() => null)) throw new RestoreExistsError(`${shown} already exists; a restore never overwrites (move it away, or use another folder)`);
  const tmp = path.join(dir, `.${meta.originalName}.${randomUUID()}.restore.partial`);
  try {
    const { stored, original } = await fetchInto(target, head.key, meta.compression, tmp);
    if (stored.digest() !== meta.sha256 || original.digest() !== meta.originalSha256 || original.bytes !== meta.originalSize) {
      throw new ArchiveCorruptError(`${target.locationOf(head.key)} does not match its recorded SHA-256; nothing was restored`);
    }
    await utimes(tmp, new Date(meta.originalMtimeMs), new Date(meta.originalMtimeMs));
    await link(tmp, final).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw new RestoreExistsError(`${shown} already exists; a restore never overwrites`);
      throw err;
    });
    syncFolder(dir);
    return { key: head.key, from: target.locationOf(head.key), restoredTo: shown, bytes: original.bytes, sha256: meta.originalSha256 };
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/** The stored object for `name`: its compressed copy first (`x.db.gz`), then as named. */
async function findObject(target: ArchiveTarget, env: string, name: string): Promise<ObjectHead> {
  const keys = name.toLowerCase().endsWith('.gz') ? [name, `${name}.gz`] : [`${name}.gz`, name];
  for (const key of keys) {
    const head = await target.head(`${env}/${key}`);
    if (head) return head;
  }
  throw new ArchiveNotFoundError(`no archived backup ${env}/${name} in ${target.name}`);
}

/** Streams the object into `tmp` (created exclusively, never through a link), hashing before and after gunzip. */
async function fetchInto(target: ArchiveTarget, key: string, compression: 'gzip' | 'none', tmp: string) {
  const stored = new DigestTap();
  const original = new DigestTap();
  const fd = openNoFollow(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 'restore', 0o600);
  let body: Readable;
  try {
    body = await target.get(key);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  // The stream owns `fd`: it syncs (flush) and closes it, also on error.
  const out = createWriteStream(tmp, { fd, flush: true });
  try {
    if (compression === 'gzip') await pipeline(body, stored, createGunzip(), original, out);
    else await pipeline(body, stored, original, out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) throw new ArchiveCorruptError(`${target.locationOf(key)} is not valid gzip (${code}); nothing was restored`);
    throw err;
  }
  return { stored, original };
}

/** The folder to restore into, checked: never through a link under the root; an outside folder must exist. */
async function destination(settings: Settings, req: RestoreRequest): Promise<string> {
  const to = req.to;
  if (!to) {
    const rel = req.env === 'default' ? settings.paths.backups : `${settings.paths.backups}/${req.env}`;
    return ensureDirUnderRoot(settings.root, rel, 'restore folder');
  }
  if ('rel' in to) {
    const norm = path.posix.normalize(to.rel.replace(/\\/g, '/'));
    if (path.isAbsolute(to.rel) || norm === '..' || norm.startsWith('../') || to.rel.includes('\0')) {
      throw new ConfigError(`to must be a folder relative to the root (got ${JSON.stringify(to.rel)})`);
    }
    refuseServiceFolder(settings, norm);
    const { abs, stat } = resolveUnderRoot(settings.root, norm, 'restore folder');
    if (!stat?.isDirectory()) throw new ConfigError(`to: ${norm} is not an existing folder under the root`);
    return abs;
  }
  const st = await lstat(to.abs).catch(() => null);
  if (!st?.isDirectory()) throw new ConfigError(`--to ${to.abs} is not an existing folder${st?.isSymbolicLink() ? ' (it is a symbolic link)' : ''}`);
  return realpath(to.abs);
}

/** Names a backup never has (engine/categories/backups.ts): a file SQLite or the collector would take for something else. */
const SIDE_FILE = /(\.tmp|\.partial|-journal|-wal|-shm)$/i;

/** A root-relative restore folder must not be the service's own (state, sessions) nor the database's folder. */
function refuseServiceFolder(settings: Settings, rel: string): void {
  const fold = (p: string) => p.toLowerCase();
  const dbDir = path.posix.dirname(settings.paths.database);
  for (const [key, other] of [['state', settings.paths.state], ['sessions', settings.paths.sessions]] as const) {
    if (fold(rel) === fold(other) || fold(rel).startsWith(`${fold(other)}/`)) throw new ConfigError(`to: ${rel} is inside paths.${key}; restore into the backups folder or a folder of your own`);
  }
  if (fold(rel) === fold(dbDir)) throw new ConfigError(`to: ${rel} is the folder of the dashboard database; restore into the backups folder or a folder of your own`);
}

function checkName(s: string, what: string): void {
  if (s === '' || s === '.' || s === '..' || s.startsWith('.') || /[/\\\0]/.test(s) || s.length > 255) {
    throw new ConfigError(`${what} must be a plain file or folder name (no "/", not starting with "."), got ${JSON.stringify(s)}`);
  }
}

function showPath(settings: Settings, abs: string): string {
  let root = settings.root;
  try {
    root = realpathSync(root);
  } catch {
    // A missing root: compare with the path as given.
  }
  const rel = path.relative(root, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel.split(path.sep).join('/');
}
