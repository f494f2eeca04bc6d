/**
 * The last step of a file removal, once every re-check passed (fs/file-executor.ts): unlink it
 * (the `delete` sink) or move it into the trash (the `trash` sink, engine/trash/move-file.ts).
 * Types and the unlink in a file of their own so the two need not import each other.
 */
import { unlink } from 'node:fs/promises';
import type { FileCandidate } from '../../domain/types.js';
import { toFsPath } from './byte-names.js';

/** What the last step did: the item's action (and a note for its reason), or why it kept the file. */
export type Removal = { kind: 'removed'; action: 'delete' | 'trash'; note?: string } | { kind: 'skipped'; reason: string };

/**
 * Removes one planned file. `recheckFolder` checks once more that the file's folder is the one
 * planned (the reason to keep it, or undefined), for a step that needs a second system call.
 * Throws fs errors (the executor reports them per item).
 */
export type RemoveFile = (c: FileCandidate, recheckFolder: () => Promise<string | undefined>) => Promise<Removal>;

/** The delete sink's last step. */
export const unlinkFile: RemoveFile = async (c) => {
  await unlink(toFsPath(c.path));
  return { kind: 'removed', action: 'delete' };
};
