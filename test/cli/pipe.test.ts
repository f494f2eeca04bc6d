/**
 * `cleanup-worker … | head`: the reader goes away before the command has printed everything.
 * The command must not crash with an unhandled EPIPE: it finishes, is recorded, and exits with
 * its own code; what it could not print is dropped.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-root.js';
import { BIN, buildFixture, cliEnv, listTree, SERVICE_OWN } from './cli-helpers.js';

/** Runs the CLI with its stdout a pipe whose only reader is closed at once; returns exit code and stderr. */
function runWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('CLI output into a pipe that closes early', () => {
  it('a dry run ends with exit 0, no crash, nothing changed', async () => {
    const root = makeTempDir();
    buildFixture(root, Date.now());
    const before = listTree(root, SERVICE_OWN);
    const r = await runWithClosedStdout(['--root', root, '--explain']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|internal error/);
    expect(r.code).toBe(0);
    expect(listTree(root, SERVICE_OWN)).toEqual(before);
  });

  it('a real run still removes what the policy says and exits with its own code', async () => {
    const root = makeTempDir();
    buildFixture(root, Date.now());
    const r = await runWithClosedStdout(['--root', root, '--force', '--explain']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|internal error/);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(root, 'logs/app.log'))).toBe(false);
    expect(existsSync(path.join(root, 'logs/recent.log'))).toBe(true);
  });
});
