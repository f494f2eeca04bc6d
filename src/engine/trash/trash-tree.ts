/**
 * Reading a run's trash folder `<state>/trash/<run_id>/`: its files (by their path below the
 * root, which is where they came from), without ever following a link, and which category's
 * folder each belongs to today.
 */
import { realpathSync } from 'node:fs';
import { lstat, rmdir } from 'node:fs/promises';
import { CATEGORY_LIST } from '../../domain/categories/index.js';
import type { FileCategory } from '../../domain/types.js';
import type { RunContext } from '../context.js';
import { readdirAsBytes, toFsPath } from '../fs/byte-names.js';
import { folderPaths } from '../fs/scope.js';

/** One entry of a run's trash: a regular file, or something else that is never restored (a link, a device…). */
export interface TrashEntry {
  /** Engine path below the trash folder of the run = its path below the root's real path. */
  rel: string;
  /** Absolute engine path in the trash. */
  abs: string;
  regular: boolean;
}

/** Every entry below `dir` (an absolute engine path), folders entered, links and others listed but never followed. */
export async function* walkTrash(dir: string, rel = ''): AsyncGenerator<TrashEntry> {
  let entries: ReturnType<typeof readdirAsBytes>;
  try {
    entries = readdirAsBytes(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const e of entries) {
    const name = e.name as string;
    const childRel = rel ? `${rel}/${name}` : name;
    const abs = `${dir}/${name}`;
    // readdir's type is the entry itself (lstat), never a link's target.
    if (e.isDirectory()) yield* walkTrash(abs, childRel);
    else yield { rel: childRel, abs, regular: e.isFile() };
  }
}

/** Removes the empty folders below `dir`, deepest first, then `dir` itself when empty; rmdir only. */
export async function pruneEmpty(dir: string): Promise<void> {
  let entries: ReturnType<typeof readdirAsBytes>;
  try {
    if (!(await lstat(toFsPath(dir))).isDirectory()) return;
    entries = readdirAsBytes(dir);
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await pruneEmpty(`${dir}/${e.name as string}`);
  await rmdir(toFsPath(dir)).catch(() => {});
}

/**
 * Which file category's folder holds a path below the root's real path, by today's settings (a
 * folder whose real path differs from its configured one, through a link inside the root, is
 * compared by its real path, as the trash stores it). Null: no category folder holds it.
 */
export function categoryFinder(ctx: Pick<RunContext, 'settings' | 'categories'>, rootReal: string): (rel: string) => FileCategory | null {
  const folders: Array<[string, FileCategory]> = [];
  for (const d of ctx.categories ?? CATEGORY_LIST) {
    if (d.kind !== 'files') continue;
    for (const p of folderPaths(ctx.settings.paths, d)) folders.push([realRel(rootReal, p), d.name as FileCategory]);
  }
  return (rel) => folders.find(([f]) => rel === f || rel.startsWith(`${f}/`))?.[1] ?? null;
}

function realRel(rootReal: string, p: string): string {
  try {
    const real = realpathSync(`${rootReal}/${p}`);
    if (real.startsWith(`${rootReal}/`)) return real.slice(rootReal.length + 1);
  } catch {
    // Missing (a fresh install) or unreadable: its configured path is all there is.
  }
  return p;
}
