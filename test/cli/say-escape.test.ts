/**
 * Terminal injection through the CLI's one-line messages and its status (issue 10 item 8): a root
 * path or a file name carrying ESC or a newline is shown escaped on stderr and stdout alike.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderStatus } from '../../src/cli/status.js';
import { makeTempDir } from '../helpers/temp-root.js';

function captureIo(cwd: string) {
  const out = { stdout: '', stderr: '' };
  const io = {
    stdout: { write: (s: string) => (out.stdout += s) },
    stderr: { write: (s: string) => (out.stderr += s) },
    env: { CLEANUP_SCHEDULE: 'off' },
    cwd,
  };
  return { io, out };
}

describe('CLI messages with control characters', () => {
  it('a missing root named with ESC and a newline is reported on one escaped line', async () => {
    const base = makeTempDir();
    const evil = path.join(base, 'x\u001b[2J\nforged: line');
    const { io, out } = captureIo(base);
    await main(['--root', evil], io);
    expect(out.stderr).toContain('x\\x1b[2J\\nforged: line');
    expect(out.stderr).not.toContain('\u001b');
    expect(out.stderr.split('\n').filter((l) => l.startsWith('forged'))).toEqual([]);
  });

  it('--status text escapes a root path with control characters', () => {
    const text = renderStatus({
      success: true,
      root: '/srv/a\u001b]0;pwned\u0007',
      daemon_running: false,
      daemon_pid: null,
      stale_pid: null,
      url: null,
      schedule: 'off',
      next_run: null,
      running: null,
      last_run: null,
      last_stats: null,
    } as unknown as Parameters<typeof renderStatus>[0]);
    expect(text).toContain('Root: /srv/a\\x1b]0;pwned\\x07');
    expect(text).not.toContain('\u001b');
  });
});
