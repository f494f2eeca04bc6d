/**
 * The service's own log file (default `logs/cleanup_worker.log`), opened and rotated without ever
 * following a symbolic link (SPEC 3.5): a linked log file once had JSON lines appended to a file
 * outside the root. The folder is reached component by component from the root, the file is
 * opened with O_APPEND|O_CREAT|O_WRONLY|O_NOFOLLOW, and rotation renames only regular files inside
 * that very folder (same device and inode as when it was opened).
 *
 * Rotation is by size: when the next line would take the file past LOG_ROTATION.maxBytes it is
 * renamed `<name>.1` (`.1` to `.2`, …, the oldest beyond LOG_ROTATION.keep dropped) and a new file
 * is opened. The names stay ones the logs category recognises (`cleanup_worker.log.1`), so rotated
 * files age out with the other logs. Several processes (server, CLI runs) append to one file: one
 * that finds the file already rotated by another just reopens it.
 */
import { constants, fstatSync, lstatSync, renameSync, type Stats } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describeFsError } from './safety/fs-errors.js';
import { ensureDirUnderRoot, openNoFollow, resolveUnderRoot, UnsafePathError } from './safety/safe-path.js';

export interface RotationLimits {
  /** A file is rotated before a line would take it past this size (bytes). */
  maxBytes: number;
  /** Rotated files kept (`.1` … `.keep`); the current file comes on top. */
  keep: number;
}

/** 10 MB per file and 5 rotated files: at most ~60 MB of the service's own log. */
export const LOG_ROTATION: Readonly<RotationLimits> = Object.freeze({ maxBytes: 10 * 1024 * 1024, keep: 5 });

/** What pino needs from a destination, plus an explicit close. */
export interface LogFile {
  write(chunk: string): boolean;
  flushSync(): void;
  /** Writes what is pending and closes the file; later lines are dropped. */
  close(): Promise<void>;
  /** close() for pino.multistream's end(). */
  end(): void;
  /** Absolute path of the current file. */
  readonly path: string;
}

interface Opened {
  fd: number;
  file: Stats;
  dir: Stats;
  abs: string;
}

/**
 * Opens `<root>/<rel>` for appending, creating its folder when missing. Throws UnsafePathError
 * when a link (or a non-folder) is on the way, or the fs error when it cannot be created/opened.
 */
function openLog(root: string, rel: string): Opened {
  const dirAbs = ensureDirUnderRoot(root, path.posix.dirname(rel), 'log file');
  const abs = path.join(dirAbs, path.posix.basename(rel));
  const fd = openNoFollow(abs, constants.O_APPEND | constants.O_CREAT | constants.O_WRONLY, 'log file');
  return { fd, file: fstatSync(fd), dir: lstatSync(dirAbs), abs };
}

/**
 * Opens the log file and returns a rotating destination for pino. Throws like openLog. Problems
 * later on (a failed rotation, a write error) are passed to `onProblem` and never thrown: logging
 * must not stop a cleanup.
 */
export function openLogFile(root: string, rel: string, limits: RotationLimits, onProblem: (message: string) => void): LogFile {
  let cur = openLog(root, rel);
  let sonic = destination(cur.fd);
  let size = cur.file.size;
  let closed = false;

  function destination(fd: number): ReturnType<typeof pino.destination> {
    const d = pino.destination({ fd, sync: false });
    d.on('error', (err: Error) => {
      if (closed || d !== sonic) return;
      closed = true;
      onProblem(`cannot write the log file ${cur.abs}: ${describeFsError(err)}; no more lines go to it`);
    });
    return d;
  }

  function rotate(): void {
    try {
      const dir = resolveUnderRoot(root, path.posix.dirname(rel), 'log folder');
      if (!dir.stat || dir.stat.dev !== cur.dir.dev || dir.stat.ino !== cur.dir.ino) {
        throw new UnsafePathError(`log folder ${path.dirname(cur.abs)} was replaced since the log file was opened`);
      }
      const now = lstatOrNull(cur.abs);
      // Another process may have rotated it already: then only reopen.
      if (now?.isFile() && now.dev === cur.file.dev && now.ino === cur.file.ino) shiftRotated(cur.abs, limits.keep);
      const next = openLog(root, rel);
      const old = sonic;
      cur = next;
      sonic = destination(next.fd);
      size = next.file.size;
      // Lines still pending on the old descriptor land in the renamed file, in order.
      old.end();
    } catch (err) {
      size = 0; // try again after another maxBytes, not on every line
      onProblem(`log file ${cur.abs} not rotated: ${err instanceof UnsafePathError ? err.message : describeFsError(err)}; still writing to it`);
    }
  }

  return {
    get path() {
      return cur.abs;
    },
    write(chunk) {
      if (closed) return true;
      const n = Buffer.byteLength(chunk);
      if (size > 0 && size + n > limits.maxBytes) rotate();
      size += n;
      return sonic.write(chunk);
    },
    flushSync() {
      if (!closed) sonic.flushSync();
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        sonic.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        sonic.end();
      });
    },
    end() {
      void this.close();
    },
  };
}

/**
 * `<log>.keep-1` → `<log>.keep`, …, `<log>` → `<log>.1`. Refuses (UnsafePathError) when one of the
 * rotated names is anything but a regular file: renaming over it would remove a link or a folder
 * the service never made.
 */
function shiftRotated(abs: string, keep: number): void {
  for (let i = 1; i <= keep; i++) {
    const st = lstatOrNull(`${abs}.${i}`);
    if (st && !st.isFile()) throw new UnsafePathError(`${abs}.${i} is not a regular file (${st.isSymbolicLink() ? 'a symbolic link' : 'a folder or special file'}); remove it`);
  }
  for (let i = keep - 1; i >= 1; i--) {
    if (lstatOrNull(`${abs}.${i}`)) renameSync(`${abs}.${i}`, `${abs}.${i + 1}`);
  }
  renameSync(abs, `${abs}.1`);
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
