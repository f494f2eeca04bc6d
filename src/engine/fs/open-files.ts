/**
 * Which files some process has open, read from /proc/<pid>/fd (Linux). A file any process
 * has open is never deleted (SPEC 3.3). Processes we may not inspect (another user's, when
 * the service is not root) and processes that exit mid-scan are silently passed over.
 */
import { readdir, stat } from 'node:fs/promises';
import { mapLimit } from './limit.js';

export interface OpenFiles {
  /** False when /proc could not be read at all (not Linux, or hidden): nothing is known to be open. */
  readonly available: boolean;
  /** `dev:ino` -> the pid of one process holding the file open. */
  readonly byKey: ReadonlyMap<string, number>;
}

/** The map key for a file: its device and inode. */
export function fileKey(dev: number, ino: number): string {
  return `${dev}:${ino}`;
}

/** The reason a file is kept because it is open, or undefined. */
export function openReason(open: OpenFiles, dev: number, ino: number): string | undefined {
  const pid = open.byKey.get(fileKey(dev, ino));
  return pid === undefined ? undefined : `open by pid ${pid}`;
}

/**
 * Scans every process's open file descriptors (stat through /proc/<pid>/fd/<n>, so the
 * dev/ino match an lstat of the file's path). Never throws: an unreadable /proc gives
 * `available: false`. `procDir` exists for portability, not for tests to fake.
 */
export async function scanOpenFiles(procDir = '/proc'): Promise<OpenFiles> {
  let pids: string[];
  try {
    pids = (await readdir(procDir)).filter((name) => /^\d+$/.test(name));
  } catch {
    return { available: false, byKey: new Map() };
  }
  const byKey = new Map<string, number>();
  await mapLimit(pids, 8, async (pid) => {
    const fdDir = `${procDir}/${pid}/fd`;
    let fds: string[];
    try {
      fds = await readdir(fdDir);
    } catch {
      return; // EACCES (another user's process) or ENOENT (it exited): pass over
    }
    await mapLimit(fds, 16, async (fd) => {
      try {
        const st = await stat(`${fdDir}/${fd}`);
        if (st.isFile()) {
          const key = fileKey(st.dev, st.ino);
          if (!byKey.has(key)) byKey.set(key, Number(pid));
        }
      } catch {
        // the descriptor closed, or it is a socket/pipe/anon inode we cannot stat: not a file
      }
    });
  });
  return { available: true, byKey };
}
