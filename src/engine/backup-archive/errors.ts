/** Errors of a restore, mapped by code through the catalog (domain/errors.ts). */

/** No archived backup under that name. */
export class ArchiveNotFoundError extends Error {
  readonly code = 'ERR_CLEANUP_NOT_FOUND';
}

/** A file already exists where the restore would write: it is never overwritten. */
export class RestoreExistsError extends Error {
  readonly code = 'ERR_CLEANUP_EXISTS';
}

/** The archived bytes do not match their recorded digests, or carry none: nothing was restored. */
export class ArchiveCorruptError extends Error {
  readonly code = 'ERR_CLEANUP_ARCHIVE_CORRUPT';
}
