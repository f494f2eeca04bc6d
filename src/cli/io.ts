/** What the CLI talks to: passed in so tests and the executable can differ. */
import { escapeControls } from './escape.js';

/** The part of a stream the CLI writes to; `isTTY` turns progress lines on. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Usually process.env; read only through loadSettings (and passed on to the daemon). */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Aborted on SIGINT/SIGTERM: a run stops between batches and is recorded as interrupted. */
  signal?: AbortSignal;
}

export const PROGRAM = 'cleanup-worker';

/** Exit codes (SPEC section 6; 4: a brake refused the run, issue 15). */
export const EXIT = Object.freeze({ ok: 0, failed: 1, usage: 2, busy: 3, refused: 4 });

/** Writes one `cleanup-worker: …` line to stderr; control characters (from a path or a name) escaped. */
export function say(io: CliIo, message: string): void {
  io.stderr.write(`${PROGRAM}: ${escapeControls(message)}\n`);
}

/** Writes one JSON document to stdout (the only thing on stdout with --json). */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
