/**
 * The `local` target: a folder under the root (`{"type": "local", "dir": "archive/backups"}`).
 * Every folder on the way is checked with safety/safe-path.ts (a symbolic link anywhere is
 * refused); an object is written to a hidden temp name, synced, then linked to its name, which
 * never replaces an existing file (link(2) fails with EEXIST), and the folder is synced. Its
 * metadata lives in a hidden sidecar (`.<name>.cwmeta.json`) written before the object, so an
 * object that exists always has its metadata unless someone removed it.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, constants, createReadStream, createWriteStream, fstatSync, fsyncSync, readFileSync, type Stats, writeFileSync } from 'node:fs';
import { link, lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ensureDirUnderRoot, openNoFollow, resolveUnderRoot, syncFolder } from '../safety/safe-path.js';
import { DigestTap, hashStream } from './digest.js';
import { decodeMeta, encodeMeta } from './meta.js';
import { type ArchiveTarget, checkKey, type ObjectHead, type ObjectMeta, type StoredObject, TargetError } from './types.js';

const WHAT = 'backup_archive.target.dir';
/** Keys are `<env>/<name>`; a listing looks no deeper than this. */
const MAX_DEPTH = 4;

/** Creates the local target for root-relative `dir` (validated at config load). Opens nothing yet. */
export function createLocalTarget(root: string, dir: string): ArchiveTarget {
  const name = `${dir.replace(/\/+$/, '')}/`;
  const rel = (key: string) => `${dir}/${checkKey(key)}`;
  const guard = async <T>(op: string, key: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TargetError) throw err;
      throw new TargetError(`${name}${key}: ${op} failed: ${(err as Error).message}`);
    }
  };
  return {
    name,
    locationOf: (key) => `${name}${key}`,
    put: (key, body, meta) => guard('write', key, () => putObject(root, rel(key), body, meta, `${name}${key}`)),
    head: (key) => guard('read', key, async () => headObject(root, rel(key), key)),
    list: (prefix) => guard('list', prefix, () => listObjects(root, dir, prefix)),
    get: (key) => guard('read', key, async () => openObject(root, rel(key), `${name}${key}`)),
    delete: (key) => guard('delete', key, () => deleteObject(root, rel(key))),
    verify: (key, sha256) =>
      guard('read back', key, async () => {
        const { digest } = await hashStream(openObject(root, rel(key), `${name}${key}`));
        return digest === sha256 ? { ok: true, how: 'read-back' as const } : { ok: false, how: 'read-back' as const, actual: digest };
      }),
    close() {},
  };
}

async function putObject(root: string, rel: string, body: Readable, meta: ObjectMeta, shown: string) {
  const folder = ensureDirUnderRoot(root, path.posix.dirname(rel), WHAT);
  const base = path.posix.basename(rel);
  const final = path.join(folder, base);
  if (await lstat(final).catch(() => null)) throw new TargetError(`${shown} already exists; not replaced`, 'exists');
  const tmp = path.join(folder, `.${base}.${randomUUID()}.partial`);
  const tap = new DigestTap();
  try {
    const fd = openNoFollow(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, WHAT, 0o600);
    // The stream owns `fd`: it syncs (flush) and closes it, also on error (ENOSPC), which stays the error reported.
    await pipeline(body, tap, createWriteStream(tmp, { fd, flush: true }));
    await writeSidecar(folder, base, meta);
    await link(tmp, final).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST') throw new TargetError(`${shown} already exists; not replaced`, 'exists');
      throw err;
    });
    syncFolder(folder);
  } finally {
    await unlink(tmp).catch(() => {});
  }
  return { digest: tap.digest(), size: tap.bytes };
}

/** Writes the metadata sidecar (temp, sync, link). A sidecar left without its object by a crash is replaced. */
async function writeSidecar(folder: string, base: string, meta: ObjectMeta): Promise<void> {
  const sidecar = path.join(folder, sidecarName(base));
  const tmp = path.join(folder, `.${base}.${randomUUID()}.meta.partial`);
  try {
    const fd = openNoFollow(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, WHAT, 0o600);
    try {
      writeFileSync(fd, JSON.stringify(encodeMeta(meta)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const orphan = await lstat(sidecar).catch(() => null);
    if (orphan?.isFile()) await unlink(sidecar); // its object does not exist (checked by the caller)
    await link(tmp, sidecar);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

function headObject(root: string, rel: string, key: string): ObjectHead | null {
  const { abs, stat } = resolveUnderRoot(root, rel, WHAT);
  if (!stat) return null;
  if (!stat.isFile()) throw new TargetError(`${rel} is not a regular file`);
  return { key, size: stat.size, lastModifiedMs: stat.mtimeMs, meta: readSidecar(abs) };
}

function readSidecar(abs: string): ObjectMeta | null {
  let fd: number;
  try {
    fd = openNoFollow(path.join(path.dirname(abs), sidecarName(path.basename(abs))), constants.O_RDONLY, WHAT);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    return decodeMeta(JSON.parse(readFileSync(fd, 'utf8')) as Record<string, string>);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

function openObject(root: string, rel: string, shown: string): Readable {
  const { abs, stat } = resolveUnderRoot(root, rel, WHAT);
  if (!stat) throw new TargetError(`${shown} does not exist`, 'missing');
  const fd = openNoFollow(abs, constants.O_RDONLY, WHAT);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new TargetError(`${shown} is not a regular file`);
  }
  return createReadStream(abs, { fd });
}

async function deleteObject(root: string, rel: string): Promise<void> {
  const { abs, stat } = resolveUnderRoot(root, rel, WHAT);
  if (!stat) return;
  if (!stat.isFile()) throw new TargetError(`${rel} is not a regular file; not deleted`);
  await unlink(abs);
  await unlink(path.join(path.dirname(abs), sidecarName(path.basename(abs)))).catch(() => {});
  syncFolder(path.dirname(abs));
}

async function listObjects(root: string, dir: string, prefix: string): Promise<StoredObject[]> {
  const { abs, stat } = resolveUnderRoot(root, dir, WHAT);
  if (!stat?.isDirectory()) return [];
  const found: StoredObject[] = [];
  const walk = async (folder: string, keyPrefix: string, depth: number): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue; // temp files and metadata sidecars
      const key = `${keyPrefix}${entry.name}`;
      // Links are never followed nor listed; only regular files are objects.
      if (entry.isDirectory() && depth < MAX_DEPTH && (prefix.startsWith(`${key}/`) || key.startsWith(prefix))) {
        await walk(path.join(folder, entry.name), `${key}/`, depth + 1);
      } else if (entry.isFile() && key.startsWith(prefix)) {
        const st: Stats | null = await lstat(path.join(folder, entry.name)).catch(() => null);
        if (st?.isFile()) found.push({ key, size: st.size, lastModifiedMs: st.mtimeMs });
      }
    }
  };
  await walk(abs, '', 1);
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function sidecarName(base: string): string {
  return `.${base}.cwmeta.json`;
}
