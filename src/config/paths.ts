/**
 * The config's `paths`, checked once at load (SPEC 3.5, 3.12): every path relative and inside the
 * root, and the folders the service cleans, keeps or writes pairwise disjoint, so no setting can
 * aim one category at another's data (`paths.temp: ["backups"]` once deleted every backup).
 */
import path from 'node:path';
import { DEFAULT_PATHS } from './defaults.js';
import { ConfigError } from './errors.js';
import type { ConfigFile } from './schema.js';

export interface Paths {
  backups: string;
  logs: string;
  database: string;
  temp: readonly string[];
  sessions: string;
  archive: string;
  state: string;
  log_file: string;
}

/** A configured path and the key that names it (`temp[1]`). */
interface Named {
  key: string;
  value: string;
}

/**
 * Merges the config file's paths over the defaults, normalises each (`./`, `a/../b`, duplicate and
 * trailing slashes) and checks them. Throws ConfigError naming the key (and, for an overlap, both keys).
 */
export function resolvePaths(file: ConfigFile): Readonly<Paths> {
  const merged: Paths = { ...DEFAULT_PATHS, ...(file.paths ?? {}) };
  const paths: Paths = Object.freeze({
    backups: normalisePath('backups', merged.backups),
    logs: normalisePath('logs', merged.logs),
    database: normalisePath('database', merged.database),
    temp: Object.freeze(merged.temp.map((t, i) => normalisePath(`temp[${i}]`, t))),
    sessions: normalisePath('sessions', merged.sessions),
    archive: normalisePath('archive', merged.archive),
    state: normalisePath('state', merged.state),
    log_file: normalisePath('log_file', merged.log_file),
  });
  checkDisjoint(paths);
  return paths;
}

function normalisePath(key: string, p: string): string {
  const norm = path.posix.normalize(p.replace(/\\/g, '/'));
  if (path.isAbsolute(p) || norm === '..' || norm.startsWith('../') || p.includes('\0')) {
    throw new ConfigError(`config: paths.${key} must be a relative path inside the root (got ${JSON.stringify(p)})`);
  }
  if (norm === '.' || norm === './' || norm === '') {
    throw new ConfigError(`config: paths.${key} must name a folder or file below the root, not the root itself`);
  }
  return norm.replace(/\/+$/, '');
}

/**
 * The category folders, `sessions`, `archive`, `state` and `database` must not be equal to, inside,
 * or contain one another; `log_file` may lie inside `logs` (it is protected there) and nowhere
 * else among them. Compared case-insensitively: on a case-insensitive file system `Tmp` and `tmp`
 * are one folder, so both-case aliases are refused everywhere.
 */
function checkDisjoint(paths: Paths): void {
  const folders: Named[] = [
    { key: 'backups', value: paths.backups },
    { key: 'logs', value: paths.logs },
    ...paths.temp.map((value, i) => ({ key: `temp[${i}]`, value })),
    { key: 'sessions', value: paths.sessions },
    { key: 'archive', value: paths.archive },
    { key: 'state', value: paths.state },
    { key: 'database', value: paths.database },
  ];
  for (let i = 0; i < folders.length; i++) {
    for (let j = i + 1; j < folders.length; j++) {
      const problem = overlap(folders[j] as Named, folders[i] as Named);
      if (problem) throw new ConfigError(`${problem}: category folders, sessions, archive, state and the database must not overlap; point them at separate folders`);
    }
  }
  const log: Named = { key: 'log_file', value: paths.log_file };
  for (const other of folders) {
    const problem = overlap(log, other);
    // Inside logs/ is where the service's log belongs: it is protected there, never a candidate.
    if (!problem || (other.key === 'logs' && isInside(fold(log.value), fold(other.value)))) continue;
    throw new ConfigError(`${problem}: the service's own log file may lie in paths.logs, but not in or over another data folder; point it elsewhere`);
  }
}

/**
 * How `a` and `b` overlap, as the start of a message naming both keys (the inner path first), or
 * null when they are disjoint.
 */
function overlap(a: Named, b: Named): string | null {
  const fa = fold(a.value);
  const fb = fold(b.value);
  const show = (n: Named) => `paths.${n.key} (${JSON.stringify(n.value)})`;
  if (fa === fb) {
    const caseOnly = a.value !== b.value ? ' (names that differ only by case are one folder on a case-insensitive file system)' : '';
    return `config: ${show(a)} is the same path as ${show(b)}${caseOnly}`;
  }
  if (isInside(fa, fb)) return `config: ${show(a)} is inside ${show(b)}`;
  if (isInside(fb, fa)) return `config: ${show(b)} is inside ${show(a)}`;
  return null;
}

/** Case-folded (and Unicode-normalised) for comparison only; the configured spelling is kept. */
function fold(p: string): string {
  return p.normalize('NFC').toLowerCase();
}

function isInside(p: string, dir: string): boolean {
  return p.startsWith(`${dir}/`);
}
