/**
 * `main(argv, io)` in-process, for what a child process cannot show: progress lines appear on
 * stderr only when it is a TTY (and never with --json).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { makeTempDir } from '../helpers/temp-root.js';
import { buildFixture } from './cli-helpers.js';

function captureIo(root: string, tty: boolean) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s), isTTY: tty },
    env: { CLEANUP_SCHEDULE: 'off', LOG_LEVEL: 'silent' },
    cwd: root,
  };
  return { io, out };
}

describe('main() progress', () => {
  it('writes progress lines to a TTY stderr during a run', async () => {
    const root = makeTempDir('cw-main-');
    buildFixture(root, Date.now());
    const { io, out } = captureIo(root, true);
    expect(await main(['--root', root], io)).toBe(0);
    expect(out.stderr).toMatch(/^cleanup-worker: backups (planning|executing)… \(\d+ items so far\)$/m);
    expect(out.stdout).toContain('Dry run: nothing was deleted.');
  });

  it('writes no progress when stderr is not a TTY, or with --json', async () => {
    const root = makeTempDir('cw-main-');
    buildFixture(root, Date.now());
    const plain = captureIo(root, false);
    expect(await main(['--root', root], plain.io)).toBe(0);
    expect(plain.out.stderr).toBe('');
    const json = captureIo(root, true);
    expect(await main(['--root', root, '--json'], json.io)).toBe(0);
    expect(json.out.stderr).toBe('');
    expect(JSON.parse(json.out.stdout).dry_run).toBe(true);
  });
});
