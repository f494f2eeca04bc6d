/**
 * One run's view of the trash (RunContext.trash): whether this run moves what it removes into the
 * trash, and the trash's folder and journal, opened once per run. A run's own folder
 * `<state>/trash/<run_id>/` is made, and the run recorded in the journal, right before its first
 * file moves (so a run that trashes nothing leaves nothing behind).
 */
import { realpathSync } from 'node:fs';
import type { EngineSettings } from '../../config/engine-settings.js';
import { ensureDirUnderRoot } from '../../safety/safe-path.js';
import type { Journal } from './journal.js';
import { runTrashRel } from './layout.js';

export interface TrashRun {
  /**
   * This run moves what it would delete into the trash. False without a `trash` setting, and when
   * the file system stays below `min_free_percent` even with the trash emptied (then it deletes).
   */
  active: boolean;
  /** The journal: opened by prepareTrash (read-only in a dry run, null when there is none). */
  journal: Journal | null;
  /** `<root real>/<state>/trash/<run_id>`: made, and the run journaled, on the first call. */
  runDir(): string;
  /**
   * What restores put back and runs keep until their hold ends (journal.ts): target -> reason.
   * Read by prepareTrash; empty before.
   */
  holds: ReadonlyMap<string, string>;
  /** Journals that this run trashes rows of `table` (and the run itself), before the first copy. */
  recordTable(category: string, table: string): void;
  /** Closes the journal. */
  close(): void;
}

/** The trash of run `runId` on the clock `now`; inactive until prepareTrash says otherwise. */
export function createTrashRun(settings: Pick<EngineSettings, 'root' | 'paths'>, runId: string, now: number): TrashRun {
  let dir: string | null = null;
  const journaled = (): Journal => {
    const j = trash.journal;
    if (!j) throw new Error('the trash journal is not open (prepareTrash was not called)');
    j.recordRun(runId, now);
    return j;
  };
  const trash: TrashRun = {
    active: false,
    journal: null,
    holds: new Map(),
    runDir() {
      if (dir === null) {
        journaled();
        dir = ensureDirUnderRoot(settings.root, runTrashRel(settings, runId), 'trash folder');
      }
      return dir;
    },
    recordTable(category, table) {
      journaled().recordTable(runId, category, table);
    },
    close() {
      trash.journal?.close();
      trash.journal = null;
    },
  };
  return trash;
}

/** The root's real path (the trash's engine paths are built from it), or the root as given. */
export function rootRealOf(root: string): string {
  try {
    return realpathSync(root);
  } catch {
    return root;
  }
}
