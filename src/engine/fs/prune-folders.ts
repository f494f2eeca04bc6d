/**
 * Folders a temp cleanup leaves empty (SPEC 3.8): removed bottom-up with rmdir only (never a
 * recursive removal), never the category's top folder, never a folder that still holds
 * anything, never one that was empty before the cleanup.
 */
import { lstat, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { ReasonCode, REASONS, type Reason } from '../../domain/reasons.js';
import type { RunContext } from '../context.js';
import { type SinkKind, sinkFor } from '../sinks.js';
import { toFsPath } from './byte-names.js';
import { errorMessage } from './file-executor.js';
import { type CheckedFolders, folderMoved, folderSwapped } from './folder-identity.js';
import type { Protection } from './protection.js';

export const EMPTIED_REASON = REASONS.emptiedFolder.text;

/** A folder seen by the walk (never the top folder). */
export interface FolderRecord {
  /** Root-relative POSIX path, as shown (bytes that are not UTF-8 escaped, `\xff`). */
  target: string;
  /** Absolute path built from real paths, as the engine holds it (see byte-names.js): the key. */
  path: string;
  dev: number;
  ino: number;
  /** Entries it held when walked, of any type. */
  entries: number;
}

/**
 * The folders that `removed` leaves empty, deepest first: every entry it held is a removed file
 * or such a folder, and it held at least one. `removed` is either the paths of the files
 * removed (in a dry run: to be removed), or, per folder path, how many of its files were.
 * Paths (not targets) are the keys: a name that is not UTF-8 and one spelled with a literal
 * `\xff` show alike but are different folders. Protected folders are returned apart with
 * their reason (and keep their parents). Pure.
 */
export function emptiedFolders(
  folders: readonly FolderRecord[],
  removed: ReadonlySet<string> | ReadonlyMap<string, number>,
  protection: Protection,
): { remove: FolderRecord[]; kept: Array<{ folder: FolderRecord; reason: string }> } {
  const gone = new Map<string, number>();
  const bump = (p: string) => {
    const parent = path.posix.dirname(p);
    gone.set(parent, (gone.get(parent) ?? 0) + 1);
  };
  if (removed instanceof Map) for (const [dir, n] of removed) gone.set(dir, n);
  else (removed as ReadonlySet<string>).forEach(bump);
  const depth = (p: string) => p.split('/').length;
  const remove: FolderRecord[] = [];
  const kept: Array<{ folder: FolderRecord; reason: string }> = [];
  for (const f of [...folders].sort((a, b) => depth(b.path) - depth(a.path) || (a.path < b.path ? -1 : 1))) {
    if (f.entries === 0 || gone.get(f.path) !== f.entries) continue;
    const reason = protection.reasonFor(f.target);
    if (reason) {
      kept.push({ folder: f, reason });
    } else {
      remove.push(f);
      bump(f.path);
    }
  }
  return { remove, kept };
}

/** Options of pruneFolders; only tests set them. */
export interface PruneOptions {
  /** Test hook: called with a folder's path right before the last check of its parent and the rmdir. */
  beforeRemove?: (path: string) => void | Promise<void>;
}

/** A sink for an emptied folder (engine/sinks.ts): the reason it stays, or undefined once it is taken. */
type FolderSink = (f: FolderRecord, parents: CheckedFolders, options: PruneOptions) => Promise<Reason | undefined>;

/**
 * The folder sinks by kind: a dry run lists every folder; a real run removes it (see removeFolder),
 * with a trash too (an empty folder holds nothing to restore; a restore makes the folders again).
 */
const FOLDER_SINKS: { readonly [K in SinkKind]?: FolderSink } = {
  list: async () => undefined,
  delete: removeFolder,
  trash: removeFolder,
};

/**
 * Reports (dry run) or removes (real run) the emptied folders, deepest first. A real run
 * re-checks each folder (still the same folder, same place, its parent still the folder that
 * was verified, right before the rmdir) and uses rmdir, which fails on anything not empty;
 * only folders actually removed are reported as items.
 */
export async function pruneFolders(ctx: RunContext, plan: ReturnType<typeof emptiedFolders>, options: PruneOptions = {}): Promise<void> {
  for (const { folder, reason } of plan.kept) {
    if (!ctx.gate || ctx.gate.covers('temp', folder.target)) ctx.report.skipped({ category: 'temp', target: folder.target, reason });
  }
  const kind = sinkFor(ctx, 'delete');
  const take = FOLDER_SINKS[kind];
  if (!take) throw new TypeError(`temp: folders have no ${kind} sink`);
  const parents: CheckedFolders = new Map();
  let done = 0;
  for (const f of plan.remove) {
    if (done++ % 256 === 0 && ctx.signal.aborted) return;
    // A run carrying out a checked plan removes only the folders its gate admits.
    const gate = ctx.gate?.admit({ category: 'temp', target: f.target, bytes: 0, action: 'rmdir' }) ?? 'go';
    if (gate === 'outside') continue;
    if (gate !== 'go') {
      ctx.report.skipped({ category: 'temp', target: f.target, reason: gate.skip });
      continue;
    }
    let why: Reason | undefined;
    try {
      why = await take(f, parents, options);
    } catch (err) {
      ctx.report.error({ category: 'temp', target: f.target, message: errorMessage(err as NodeJS.ErrnoException, f.path) });
      continue;
    }
    if (why?.code === ReasonCode.AlreadyGone) continue;
    if (why) ctx.report.skipped({ category: 'temp', target: f.target, reason: why.text });
    else ctx.report.item({ category: 'temp', target: f.target, bytes: 0, action: 'rmdir', reason: EMPTIED_REASON });
  }
}

/**
 * Removes one folder if it is still the same, empty folder; returns why not, or undefined.
 * Throws for failures that are errors (EACCES, EPERM…).
 */
async function removeFolder(f: FolderRecord, parents: CheckedFolders, options: PruneOptions): Promise<Reason | undefined> {
  const p = toFsPath(f.path);
  try {
    const st = await lstat(p);
    if (st.isSymbolicLink()) return REASONS.replacedByLink;
    if (!st.isDirectory()) return REASONS.notAFolder;
    if (st.dev !== f.dev || st.ino !== f.ino) return REASONS.changedInode;
    const moved = await folderMoved(f.path, parents);
    if (moved) return moved;
    if (options.beforeRemove) await options.beforeRemove(f.path);
    const swapped = await folderSwapped(f.path, parents);
    if (swapped) return swapped;
    await rmdir(p);
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return REASONS.alreadyGone;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') return REASONS.notEmpty;
    throw err;
  }
}
