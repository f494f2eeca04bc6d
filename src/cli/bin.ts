#!/usr/bin/env node
/**
 * The `cleanup-worker` executable (package.json `bin`). SIGINT/SIGTERM abort a run between
 * batches (it is recorded as interrupted, exit 1); a second signal ends the process at once.
 */
import { main } from './main.js';
import { withSourcePositions } from './source-stack.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`cleanup-worker: ${signal}: stopping after the current batch (again to quit now)\n`);
    controller.abort();
    process.once(signal, () => process.exit(130));
  });
}

// `cleanup-worker … | head`: the reader went away. What is left to print is dropped; the command
// still finishes (a real run is recorded either way) and exits with its own code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  });
}

// If the event loop empties while main() is still pending (a promise that can never settle),
// say so and fail instead of exiting 0 with nothing done.
let settled = false;
process.once('beforeExit', () => {
  if (settled) return;
  process.stderr.write('cleanup-worker: internal error: the command stopped before it finished\n');
  process.exitCode = 1;
});

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
}).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (err: unknown) => {
    settled = true;
    const stack = (err as Error)?.stack;
    process.stderr.write(`cleanup-worker: ${stack ? withSourcePositions(stack) : String(err)}\n`);
    process.exitCode = 1;
  },
);
