/**
 * The one liveness check (store/process-identity.ts), used for the run lock's owner and the
 * daemon's PID file alike.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/cli/pid-file.js';
import { isProcessAlive, processStartTime } from '../../src/store/process-identity.js';

/** A zombie: a child of `sleep` that exited and that `sleep` never reaps. Resolves its pid and a stop function. */
async function makeZombie(): Promise<{ pid: number; stop: () => void }> {
  const parent = spawn('sh', ['-c', 'true & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout.once('data', (b) => resolve(Number.parseInt(String(b), 10))));
  await new Promise((r) => setTimeout(r, 200)); // `true` exits at once; nobody reaps it
  return { pid, stop: () => parent.kill('SIGKILL') };
}

describe('isProcessAlive', () => {
  it('says this process is alive, with or without its start time, and not with another start time', () => {
    const start = processStartTime(process.pid);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(process.pid, start)).toBe(true);
    if (start !== null) expect(isProcessAlive(process.pid, `${start}1`)).toBe(false);
  });

  it('says a zombie is not alive, whether or not a start time was recorded, for the lock and the PID file alike', async () => {
    const zombie = await makeZombie();
    try {
      expect(isProcessAlive(zombie.pid)).toBe(false);
      expect(isProcessAlive(zombie.pid, null)).toBe(false);
      expect(isAlive(zombie.pid)).toBe(false);
    } finally {
      zombie.stop();
    }
  });

  it('refuses pids that are not positive integers', () => {
    expect([0, -1, 1.5, Number.NaN].map((p) => isProcessAlive(p))).toEqual([false, false, false, false]);
  });
});
