/**
 * The service's logger: pino JSON lines to stdout and to the log file (SPEC section 1,
 * default `logs/cleanup_worker.log` under the root, rotated by size: see log-file.ts). The file
 * is only opened when the root exists, so logging never creates a missing root; a log file that
 * cannot be opened safely (a symbolic link on the way, a read-only file system) is left out with
 * a warning and the logger writes to stdout only.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Settings } from './config/settings.js';
import { LOG_ROTATION, type LogFile, openLogFile, type RotationLimits } from './log-file.js';
import { describeFsError } from './safety/fs-errors.js';
import { UnsafePathError } from './safety/safe-path.js';

export interface LoggerOptions {
  /** Also write to stdout (server: yes; CLI: no, stdout is for people). */
  stdout: boolean;
  /** Write to the root's log file (default true). */
  file?: boolean;
  /**
   * Where problems with the log file go (cannot be opened, not rotated). Default: a `warn` line
   * through the logger itself (stdout for the server). The CLI passes its stderr.
   */
  onProblem?: (message: string) => void;
  /** Rotation limits; LOG_ROTATION unless a test needs small files. */
  rotation?: RotationLimits;
}

/** The open log file of each logger, so closeLogger can write out and close it. */
const logFiles = new WeakMap<Logger, LogFile>();

/** Creates the pino logger for a process; call `closeLogger` before exit to flush the file. */
export function createLogger(settings: Settings, opts: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  if (opts.stdout) streams.push({ level: settings.logLevel as pino.Level, stream: process.stdout });
  let logger: Logger | null = null;
  // Problems found while a line is being written are reported after it, never from inside the write.
  const report = (message: string) => {
    if (opts.onProblem) opts.onProblem(message);
    else setImmediate(() => logger?.warn(message));
  };
  let file: LogFile | null = null;
  let fileProblem: string | null = null;
  if (opts.file !== false && existsSync(settings.root)) {
    try {
      file = openLogFile(settings.root, settings.paths.log_file, opts.rotation ?? LOG_ROTATION, report);
      streams.push({ level: settings.logLevel as pino.Level, stream: file });
    } catch (err) {
      const dest = path.join(settings.root, settings.paths.log_file);
      const why = err instanceof UnsafePathError ? err.message : `${dest}: ${describeFsError(err)}`;
      fileProblem = `cannot write the log file (${why}); logging to ${opts.stdout ? 'stdout' : 'nowhere'} only`;
    }
  }
  if (fileProblem && opts.onProblem) opts.onProblem(fileProblem);
  if (streams.length === 0) return pino({ level: 'silent' });
  logger = pino(
    {
      level: settings.logLevel,
      base: { pid: process.pid, service: 'cleanup-worker' },
      timestamp: isoTimeCached,
      redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: '[redacted]' },
    },
    pino.multistream(streams),
  );
  if (file) logFiles.set(logger, file);
  if (fileProblem && !opts.onProblem) logger.warn(fileProblem);
  return logger;
}

let lastMs = -1;
let lastTime = '';
/**
 * pino's isoTime, formatted once per millisecond: a big run logs many lines per millisecond, and
 * `toISOString` per line was ~1 µs of each, a tenth of the main thread's time in a million-item run.
 */
export function isoTimeCached(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastTime = `,"time":"${new Date(ms).toISOString()}"`;
  }
  return lastTime;
}

/**
 * Writes out pending log lines and closes the log file before the process exits (stdout is left
 * open). Lines logged after this go to stdout only.
 */
export async function closeLogger(logger: Logger): Promise<void> {
  const file = logFiles.get(logger);
  if (!file) return;
  logFiles.delete(logger);
  await file.close();
}
