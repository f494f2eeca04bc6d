/**
 * The service's own files under the root, named in one place: the state database (run history
 * and lock) and the daemon's PID file, both in the state folder (`paths.state`, `.cleanup` by
 * default). Root-relative POSIX paths, to be reached with safety/safe-path.ts.
 */
import type { Paths } from './paths.js';

export const STATE_DB = 'state.db';
export const PID_FILE = 'cleanup_worker.pid';

/** `<paths.state>/state.db`, relative to the root. */
export function stateDbRel(settings: { readonly paths: Pick<Paths, 'state'> }): string {
  return `${settings.paths.state}/${STATE_DB}`;
}

/** `<paths.state>/cleanup_worker.pid`, relative to the root. */
export function pidFileRel(settings: { readonly paths: Pick<Paths, 'state'> }): string {
  return `${settings.paths.state}/${PID_FILE}`;
}
