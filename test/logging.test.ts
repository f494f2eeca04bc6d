import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from './helpers/temp-root.js';

const dist = path.resolve(__dirname, '../dist/src');

describe('the log file', () => {
  // Regression: a file destination still opening made pino's exit hook throw
  // "sonic boom is not ready yet" and a short-lived process could hang or lose its last line.
  it('a process that logs and exits at once exits promptly with its line in the file', () => {
    const root = makeTempDir();
    const code = `
      const { loadSettings } = await import(${JSON.stringify(`${dist}/config/settings.js`)});
      const { createLogger } = await import(${JSON.stringify(`${dist}/logging.js`)});
      const logger = createLogger(loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root: process.argv[1] }), { stdout: false });
      logger.info({ probe: 1 }, 'hello from a short process');
      process.exit(0);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code, root], { timeout: 10_000, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/not ready/);
    const lines = readFileSync(path.join(root, 'logs', 'cleanup_worker.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ msg: 'hello from a short process', probe: 1, service: 'cleanup-worker' });
    expect(Math.abs(Date.parse(lines.at(-1).time) - Date.now())).toBeLessThan(60_000);
    expect(lines.at(-1).time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
