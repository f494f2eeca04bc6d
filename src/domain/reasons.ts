/**
 * Reason codes: what code may branch on, beside the sentence people read. The sentence (`text`)
 * is what the API, the CLI, the log and the run history show as an item's or a skip's `reason`,
 * unchanged; code compares `code`, never the text, so rewording a sentence changes no behaviour.
 *
 * Today's codes are the re-checks made at the moment of removal (SPEC 3.6) and the emptied-folder
 * reason; the planner's reasons (ages, retention) become rows here as they gain codes.
 */

export const ReasonCode = {
  /** The item vanished between the plan and its removal (someone else removed it). */
  AlreadyGone: 'already_gone',
  /** It is now a symbolic link where a file or folder was planned. */
  ReplacedByLink: 'replaced_by_link',
  /** It is now something other than what was planned: a folder, a device, a file. */
  ReplacedByOther: 'replaced_by_other',
  /** Same name, different facts (inode, size, mtime, age, rank): it was changed. */
  Changed: 'changed',
  /** A folder on its path is no longer the folder that was planned. */
  FolderChanged: 'folder_changed',
  /** A folder planned as emptied holds something again. */
  NotEmpty: 'not_empty',
  /** A temp folder the cleanup emptied (its removal is an item, action `rmdir`). */
  EmptiedFolder: 'emptied_folder',
} as const;

export type ReasonCode = (typeof ReasonCode)[keyof typeof ReasonCode];

/** A reason: the code for code, the text for people. */
export interface Reason {
  readonly code: ReasonCode;
  readonly text: string;
}

const reason = (code: ReasonCode, text: string): Reason => Object.freeze({ code, text });

/** The fixed reasons, by name; their texts are part of the contract (docs/BEHAVIOUR.md). */
export const REASONS = Object.freeze({
  alreadyGone: reason(ReasonCode.AlreadyGone, 'already gone'),
  replacedByLink: reason(ReasonCode.ReplacedByLink, 'replaced by a symbolic link'),
  replacedByFolder: reason(ReasonCode.ReplacedByOther, 'replaced by a folder'),
  notARegularFile: reason(ReasonCode.ReplacedByOther, 'no longer a regular file'),
  notAFolder: reason(ReasonCode.ReplacedByOther, 'no longer a folder'),
  changedInode: reason(ReasonCode.Changed, 'changed since it was planned (inode)'),
  changedSize: reason(ReasonCode.Changed, 'changed since it was planned (size)'),
  changedMtime: reason(ReasonCode.Changed, 'changed since it was planned (mtime)'),
  noLongerOldEnough: reason(ReasonCode.Changed, 'changed since it was planned (no longer old enough)'),
  rowChanged: reason(ReasonCode.Changed, 'changed since it was planned'),
  folderChanged: reason(ReasonCode.FolderChanged, 'its folder changed since it was planned'),
  notEmpty: reason(ReasonCode.NotEmpty, 'no longer empty'),
  emptiedFolder: reason(ReasonCode.EmptiedFolder, 'empty folder left by temp cleanup'),
});
