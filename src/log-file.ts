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
import { ensureDirUnderRoot, lstatOrNull, openNoFollow, resolveUnderRoot, UnsafePathError } from './safety/safe-path.js';

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
  return new RotatingLogFile(root, rel, limits, onProblem);
}

type Sonic = ReturnType<typeof pino.destination>;

class RotatingLogFile implements LogFile {
  private cur: Opened;
  private sonic: Sonic;
  /** Bytes in the current file as far as this process knows (its own lines included). */
  private size: number;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly rel: string,
    private readonly limits: RotationLimits,
    private readonly onProblem: (message: string) => void,
  ) {
    this.cur = openLog(root, rel);
    this.sonic = this.destination(this.cur.fd);
    this.size = this.cur.file.size;
  }

  get path(): string {
    return this.cur.abs;
  }

  write(chunk: string): boolean {
    if (this.closed) return true;
    const n = Buffer.byteLength(chunk);
    if (this.size > 0 && this.size + n > this.limits.maxBytes) this.rotate();
    this.size += n;
    return this.sonic.write(chunk);
  }

  flushSync(): void {
    if (!this.closed) this.sonic.flushSync();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const sonic = this.sonic;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000).unref();
      sonic.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      sonic.end();
    });
  }

  end(): void {
    void this.close();
  }

  private destination(fd: number): Sonic {
    const d = pino.destination({ fd, sync: false });
    d.on('error', (err: Error) => {
      if (this.closed || d !== this.sonic) return;
      this.closed = true;
      this.onProblem(`cannot write the log file ${this.cur.abs}: ${describeFsError(err)}; no more lines go to it`);
    });
    return d;
  }

  /** Renames the current file away (unless another process already did) and opens a new one. */
  private rotate(): void {
    try {
      const dir = resolveUnderRoot(this.root, path.posix.dirname(this.rel), 'log folder');
      if (!dir.stat || dir.stat.dev !== this.cur.dir.dev || dir.stat.ino !== this.cur.dir.ino) {
        throw new UnsafePathError(`log folder ${path.dirname(this.cur.abs)} was replaced since the log file was opened`);
      }
      const now = lstatOrNull(this.cur.abs);
      const ours = now?.isFile() && now.dev === this.cur.file.dev && now.ino === this.cur.file.ino;
      if (ours) shiftRotated(this.cur.abs, this.limits.keep);
      const next = openLog(this.root, this.rel);
      const old = this.sonic;
      this.cur = next;
      this.sonic = this.destination(next.fd);
      this.size = next.file.size;
      // Lines still pending on the old descriptor land in the renamed file, in order.
      old.end();
    } catch (err) {
      this.size = 0; // try again after another maxBytes, not on every line
      const why = err instanceof UnsafePathError ? err.message : describeFsError(err);
      this.onProblem(`log file ${this.cur.abs} not rotated: ${why}; still writing to it`);
    }
  }
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
  for (let i = keep - 1; i >= 1; i--) renameIfThere(`${abs}.${i}`, `${abs}.${i + 1}`);
  renameSync(abs, `${abs}.1`);
}

/** rename(2); a source already gone (the logs category removed an old rotated file) is fine. */
function renameIfThere(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
