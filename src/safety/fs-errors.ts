/**
 * File-system errors worded for people: `EROFS` says "read-only file system", not
 * `ENOENT … mkdir` (what a recursive mkdir reports on a read-only mount).
 */

const WORDS: Readonly<Record<string, string>> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOENT: 'does not exist',
  ENOTDIR: 'a component of the path is not a folder',
  EISDIR: 'is a folder',
  ELOOP: 'a symbolic link is in the way',
};

/** Codes meaning "this place cannot be written", as opposed to a broken file or a bug. */
export const NOT_WRITABLE_CODES: ReadonlySet<string> = new Set(['EROFS', 'EACCES', 'EPERM', 'ENOSPC', 'EDQUOT']);

/** The errno code of an fs error, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "read-only file system (EROFS)" for an fs error; the message for anything else. */
export function describeFsError(err: unknown): string {
  const code = errnoCode(err);
  if (code && WORDS[code]) return `${WORDS[code]} (${code})`;
  return code ?? (err instanceof Error ? err.message : String(err));
}
