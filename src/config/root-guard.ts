/**
 * Roots that are whole systems are refused (SPEC 3.12): `--root /` once planned the removal of
 * hundreds of thousands of the machine's own files under /tmp and /var. A root is compared as
 * given (resolved) and as its real path, so `/tmp/../etc` or a link to `/` is caught too.
 */
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from './errors.js';

/** Exactly the top-level system folders SPEC 3.12 names (a folder below them is fine). */
export const SYSTEM_FOLDERS: readonly string[] = Object.freeze([
  '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc',
  '/root', '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/var',
]);

/**
 * Throws ConfigError when `root` (absolute) is `/`, a home folder (os.homedir() and `home`, the
 * HOME given through the settings' env) or one of SYSTEM_FOLDERS. `source` names where the root
 * came from (`--root`, `ARCHITECT_HOME`, …) so the message says what to change.
 */
export function refuseSystemRoot(root: string, source: string, home: string | undefined): void {
  const homes = new Set([os.homedir(), home].filter((h): h is string => !!h).flatMap(bothSpellings));
  for (const candidate of bothSpellings(root)) {
    const why =
      candidate === '/'
        ? 'the whole file system'
        : SYSTEM_FOLDERS.includes(candidate)
          ? 'a system folder'
          : homes.has(candidate)
            ? 'the home folder'
            : null;
    if (!why) continue;
    const via = candidate === path.resolve(root) ? '' : ` (through links or "..")`;
    throw new ConfigError(
      `${source} ${JSON.stringify(root)} is ${candidate}${via}, ${why}: cleaning it would delete files that are not the dashboard's; point ${source} at the dashboard's data folder (e.g. /var/lib/architect or /srv/architect)`,
    );
  }
}

/** The path resolved, and its real path when it exists. */
function bothSpellings(p: string): string[] {
  const resolved = path.resolve(p);
  try {
    const real = realpathSync(resolved);
    return real === resolved ? [resolved] : [resolved, real];
  } catch {
    return [resolved];
  }
}
