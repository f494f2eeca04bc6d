/**
 * The safe frame a file category works in: the root's real path, the protection rules, the
 * open files, and category folders checked before anything is walked (SPEC 3.5): a folder
 * that is itself a symbolic link, resolves outside the root, or lies inside a folder the
 * service never touches is refused with a warning and not walked; mount points below a
 * category folder are never entered.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Paths } from '../../config/settings.js';
import { CATEGORY_LIST, type CategoryDescriptor } from '../../domain/categories/index.js';
import type { RunContext } from '../context.js';
import type { FileCandidate, FileCategory } from '../../domain/types.js';
import { displayPath } from './byte-names.js';
import { mountPointsBelow, readMountPoints } from './mounts.js';
import { fileKey, type OpenFiles, openReason, scanOpenFiles } from './open-files.js';
import { createProtection, DATABASE_REASON, databaseFiles, OWN_LOG_REASON, type Protection } from './protection.js';
import type { WalkFile } from './walker.js';

export interface FileScope {
  /** The root's real path (symbolic links resolved). */
  readonly rootReal: string;
  readonly protection: Protection;
  /** Open files as of the last scan; `refreshOpenFiles` rescans. */
  open: OpenFiles;
}

/** A category folder that passed the checks. */
export interface CategoryFolder {
  /** Root-relative POSIX path as configured, e.g. `logs`. */
  readonly rel: string;
  /** Its real path: walked, and the prefix of every candidate's `path`. */
  readonly real: string;
  /** Absolute real paths the walk must not enter nor list (sessions, state, other categories' folders, mount points). */
  readonly neverEnter: readonly string[];
}

/** Warnings already given, per run (keyed by the run's reporter, which all its handlers share). */
const warned = new WeakMap<object, Set<string>>();

/** Reports a warning once per run (the three file categories share some problems). */
export function warnOnce(ctx: RunContext, message: string): void {
  let given = warned.get(ctx.report);
  if (!given) warned.set(ctx.report, (given = new Set()));
  if (given.has(message)) return;
  given.add(message);
  ctx.report.warning(message);
}

/**
 * Resolves the root, builds the protection rules and scans open files. Returns null (after
 * one warning per run) when the root does not exist or is not a folder. Never throws for
 * operational problems.
 */
export async function openFileScope(ctx: RunContext): Promise<FileScope | null> {
  const { root, paths, protect } = ctx.settings;
  let rootReal: string;
  try {
    rootReal = await realpath(root);
    if (!(await lstat(rootReal)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    warnOnce(ctx, code === 'ENOENT' ? `root ${root} does not exist; nothing to clean` : `root ${root} cannot be used (${code}); nothing to clean`);
    return null;
  }
  const identities = new Map<string, string>();
  const own: Array<[string, string]> = [[paths.log_file, OWN_LOG_REASON], ...databaseFiles(paths.database).map((f) => [f, DATABASE_REASON] as [string, string])];
  for (const [rel, reason] of own) {
    const st = await lstat(path.join(rootReal, rel)).catch(() => null);
    if (st?.isFile()) identities.set(fileKey(st.dev, st.ino), reason);
  }
  const scope: FileScope = { rootReal, protection: createProtection(paths, protect, identities), open: await scanOpenFiles() };
  if (!scope.open.available) warnOnce(ctx, 'open files cannot be detected (/proc is not readable): files in use are not protected');
  return scope;
}

/** Rescans open files; called after ctx.beforeExecute, right before deleting. */
export async function refreshOpenFiles(scope: FileScope): Promise<void> {
  scope.open = await scanOpenFiles();
}

/**
 * Checks a category folder before it is walked. A missing folder is a silent no-op (fresh
 * installs have no cache/); a symbolic link, a non-folder, a folder resolving outside the
 * root or inside the sessions/state/archive folders is refused with a warning. Returns null
 * when the folder must not be walked.
 */
export async function openCategoryFolder(ctx: RunContext, scope: FileScope, category: FileCategory, rel: string): Promise<CategoryFolder | null> {
  const abs = path.join(scope.rootReal, rel);
  const refuse = (why: string) => {
    ctx.report.warning(`${category}: folder ${rel} ${why}; not cleaned`);
    return null;
  };
  let real: string;
  try {
    const st = await lstat(abs);
    if (st.isSymbolicLink()) return refuse('is a symbolic link (links are never followed)');
    if (!st.isDirectory()) return refuse('is not a folder');
    real = await realpath(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      ctx.logger.debug({ category, folder: rel }, 'category folder does not exist');
      return null;
    }
    return refuse(`cannot be read (${code})`);
  }
  if (!isBelow(real, scope.rootReal)) return refuse(`resolves outside the root (${real})`);
  const { sessions, state, archive } = ctx.settings.paths;
  const untouchable = await Promise.all([sessions, state, archive].map((p) => realOrJoin(scope.rootReal, p)));
  if (untouchable.some((u) => real === u || isBelow(real, u))) return refuse('is inside a folder the service never touches');
  // Every file category's folders (from the descriptors): no walk enters another category's.
  const others = (ctx.categories ?? CATEGORY_LIST).flatMap((d) => folderPaths(ctx.settings.paths, d)).filter((p) => p !== rel);
  const neverEnter = [
    ...untouchable,
    ...(await Promise.all(others.map((p) => realOrJoin(scope.rootReal, p)))),
    // Bind mounts share the device number of their parent: only mountinfo tells them apart.
    ...mountPointsBelow(await readMountPoints(), real),
  ];
  return { rel, real, neverEnter: neverEnter.filter((p) => p !== real) };
}

/**
 * The root-relative folders of a file category: its settings `paths` key, else its
 * descriptor's default. None for a database category.
 */
export function folderPaths(paths: Readonly<Paths>, d: CategoryDescriptor): readonly string[] {
  if (!d.path) return [];
  const value = (paths as unknown as Record<string, string | readonly string[] | undefined>)[d.path.key] ?? d.path.default;
  return typeof value === 'string' ? [value] : value;
}

/**
 * A candidate from a walked file: target, path and protection (static rules, then open files).
 * A name that is not UTF-8 is shown escaped in `target` (`\xff`) and kept as bytes in `path`.
 */
export function toCandidate(
  scope: FileScope,
  folder: CategoryFolder,
  category: FileCategory,
  f: WalkFile,
  age: { timestampMs: number; timestampSource: 'name' | 'mtime'; env?: string } = { timestampMs: f.mtimeMs, timestampSource: 'mtime' },
): FileCandidate {
  const target = `${folder.rel}/${f.raw ? displayPath(f.rel) : f.rel}`;
  const c: FileCandidate = { kind: 'file', category, target, path: `${folder.real}/${f.rel}`, dev: f.dev, ino: f.ino, size: f.size, mtimeMs: f.mtimeMs, ...age };
  const reason = scope.protection.reasonFor(target, f.dev, f.ino) ?? openReason(scope.open, f.dev, f.ino);
  if (reason) c.protectedReason = reason;
  return c;
}

function isBelow(p: string, dir: string): boolean {
  return p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

async function realOrJoin(rootReal: string, rel: string): Promise<string> {
  const abs = path.join(rootReal, rel);
  return realpath(abs).catch(() => abs);
}
