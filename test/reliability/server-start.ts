/**
 * The built server started once for a start-up check: resolves when it either answers /health
 * (then it is SIGTERMed) or exits on its own, with its exit code and stderr. For tests of what the
 * server refuses at start. The child is tracked and killed after the test in any case.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../cli/cli-helpers.js';
import { SERVER, sleep, track } from './helpers.js';

export interface StartOutcome {
  /** True when it answered /health (it was then stopped). */
  started: boolean;
  /** Exit code when it refused to start (null when it started). */
  code: number | null;
  stderr: string;
  stdout: string;
}

/** Starts dist/src/server.js with exactly `env` (plus PATH, HOST, PORT, schedule off) in `cwd`. */
export async function tryStartServer(env: Record<string, string>, cwd?: string): Promise<StartOutcome> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} missing: run the build (npm run build) first`);
  const port = await freePort();
  const child = track(
    spawn(process.execPath, [SERVER], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), CLEANUP_SCHEDULE: 'off', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  let stdout = '';
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return { started: false, code: await exited, stderr, stdout };
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) {
        child.kill('SIGTERM');
        await exited;
        return { started: true, code: null, stderr, stdout };
      }
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`server neither started nor exited: ${stderr}`);
}
