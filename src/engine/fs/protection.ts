/**
 * What must never be deleted whatever the policy says (SPEC 3.3): anything under the
 * sessions folder, the service's own log file, the dashboard's database files, and paths
 * matching a config `protect` glob. Open files are checked separately (open-files.ts)
 * because that answer changes between planning and executing.
 */
import picomatch from 'picomatch';
import type { Paths } from '../../config/settings.js';
import { fileKey } from './open-files.js';

export interface Protection {
  /**
   * Why `target` (a root-relative POSIX path) must be kept, or undefined. `dev`/`ino`, when
   * given, also catch the protected files under another name (a hard link).
   */
  reasonFor(target: string, dev?: number, ino?: number): string | undefined;
}

export const SESSIONS_REASON = 'in the sessions folder (never touched)';
export const OWN_LOG_REASON = "the service's own log file";
export const DATABASE_REASON = "the dashboard's database";

/** The database file and the SQLite side files that belong to it. */
export function databaseFiles(database: string): string[] {
  return [database, `${database}-wal`, `${database}-shm`, `${database}-journal`];
}

/**
 * Builds the protection rules from the settings' paths and globs. `identities` maps
 * `dev:ino` of protected files that exist (see `fileKey`) to their reason.
 */
export function createProtection(
  paths: Pick<Paths, 'sessions' | 'log_file' | 'database'>,
  globs: readonly string[],
  identities: ReadonlyMap<string, string> = new Map(),
): Protection {
  const exact = new Map<string, string>([[paths.log_file, OWN_LOG_REASON]]);
  for (const f of databaseFiles(paths.database)) exact.set(f, DATABASE_REASON);
  const matchers = globs.map((glob) => ({ glob, test: globMatcher(glob) }));
  return {
    reasonFor(target, dev, ino) {
      if (isInside(target, paths.sessions)) return SESSIONS_REASON;
      const byName = exact.get(target);
      if (byName) return byName;
      if (dev !== undefined && ino !== undefined) {
        const byId = identities.get(fileKey(dev, ino));
        if (byId) return byId;
      }
      const hit = matchers.find((m) => m.test(target));
      return hit ? `protected by glob "${hit.glob}"` : undefined;
    },
  };
}

/**
 * A protect glob matches a path, and everything below a folder it matches: `logs/keep`,
 * `logs/keep/` and `logs/keep/**` all protect `logs/keep/a/b.log` (and the folder itself, so an
 * emptied temp folder named by a glob is not pruned either).
 */
export function globMatcher(glob: string): (target: string) => boolean {
  const base = glob.replace(/\/+$/, '');
  if (base === '') return picomatch(glob, { dot: true });
  return picomatch([base, `${base}/**`], { dot: true });
}

/** True when `target` is `folder` itself or below it (root-relative POSIX paths). */
export function isInside(target: string, folder: string): boolean {
  return target === folder || target.startsWith(`${folder}/`);
}
