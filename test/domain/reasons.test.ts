/**
 * Reason codes beside the texts (domain/reasons.ts): the sentences people read in the API, the
 * CLI, the log and the history stay word for word what they were; code decides on the codes.
 */
import { describe, expect, it } from 'vitest';
import { ReasonCode, REASONS } from '../../src/domain/reasons.js';

describe('reasons', () => {
  it('keeps the texts people read word for word', () => {
    expect(Object.fromEntries(Object.entries(REASONS).map(([k, r]) => [k, r.text]))).toEqual({
      alreadyGone: 'already gone',
      replacedByLink: 'replaced by a symbolic link',
      replacedByFolder: 'replaced by a folder',
      notARegularFile: 'no longer a regular file',
      notAFolder: 'no longer a folder',
      changedInode: 'changed since it was planned (inode)',
      changedSize: 'changed since it was planned (size)',
      changedMtime: 'changed since it was planned (mtime)',
      noLongerOldEnough: 'changed since it was planned (no longer old enough)',
      rowChanged: 'changed since it was planned',
      folderChanged: 'its folder changed since it was planned',
      notEmpty: 'no longer empty',
      emptiedFolder: 'empty folder left by temp cleanup',
    });
  });

  it('gives every reason a code from the enum, and every change of the planned item the code `changed`', () => {
    const codes = new Set<string>(Object.values(ReasonCode));
    for (const r of Object.values(REASONS)) expect(codes.has(r.code)).toBe(true);
    const changed = Object.values(REASONS).filter((r) => r.text.startsWith('changed since'));
    expect(changed.map((r) => r.code)).toEqual(changed.map(() => ReasonCode.Changed));
  });
});
