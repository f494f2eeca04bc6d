/**
 * The service's own log is rotated by size (issue 10): `cleanup_worker.log` → `.1` → … → `.N`,
 * the oldest dropped, names the logs category recognises. Rotation never follows nor replaces a
 * link. In-process with small limits; the defaults are 10 MB and 5 files (LOG_ROTATION).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logsHandler } from '../src/engine/categories/logs.js';
import { LOG_ROTATION } from '../src/log-file.js';
import { closeLogger, createLogger } from '../src/logging.js';
import { runHandler, snapshotTree, targets } from './helpers/fs-fixtures.js';
import { DAY, makeTempDir, NOW, settingsFor } from './helpers/temp-root.js';

const LIMITS = { maxBytes: 4096, keep: 3 };

async function logLines(root: string, n: number, limits = LIMITS, problems: string[] = []): Promise<void> {
  const logger = createLogger(settingsFor(root, { LOG_LEVEL: 'info' }), { stdout: false, rotation: limits, onProblem: (m) => problems.push(m) });
  for (let i = 0; i < n; i++) logger.info({ seq: i, pad: 'x'.repeat(100) }, 'line');
  await closeLogger(logger);
}

function seqs(file: string): number[] {
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).seq);
}

describe("rotation of the service's own log", () => {
  it('defaults to 10 MB per file and 5 rotated files', () => {
    expect(LOG_ROTATION).toEqual({ maxBytes: 10 * 1024 * 1024, keep: 5 });
  });

  it('rotates by size, keeps the newest lines in order across at most keep + 1 files, and drops the oldest', async () => {
    const root = makeTempDir();
    await logLines(root, 400); // ~80 KB of lines: far more than 4 files of 4 KB
    const logs = path.join(root, 'logs');
    expect(readdirSync(logs).sort()).toEqual(['cleanup_worker.log', 'cleanup_worker.log.1', 'cleanup_worker.log.2', 'cleanup_worker.log.3']);
    for (const f of readdirSync(logs)) expect(statSync(path.join(logs, f)).size, f).toBeLessThanOrEqual(LIMITS.maxBytes);
    const all = ['cleanup_worker.log.3', 'cleanup_worker.log.2', 'cleanup_worker.log.1', 'cleanup_worker.log'].flatMap((f) => seqs(path.join(logs, f)));
    // The newest lines, contiguous, ending with the last one written.
    expect(all.at(-1)).toBe(399);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => 400 - all.length + i));
    expect(all.length).toBeGreaterThan(50); // 3 full rotated files of ~19 lines, plus the current one
  });

  it('continues an existing file and its rotated files across processes (loggers)', async () => {
    const root = makeTempDir();
    await logLines(root, 20);
    await logLines(root, 20);
    const logs = path.join(root, 'logs');
    const all = [...readdirSync(logs)].sort().reverse().flatMap((f) => seqs(path.join(logs, f)));
    expect(all).toEqual([...Array(20).keys(), ...Array(20).keys()]);
  });

  it('two writers on one log (server and a CLI run) lose no line when either rotates it', async () => {
    const root = makeTempDir();
    const limits = { maxBytes: 4096, keep: 50 };
    const problems: string[] = [];
    const a = createLogger(settingsFor(root), { stdout: false, rotation: limits, onProblem: (m) => problems.push(m) });
    const b = createLogger(settingsFor(root), { stdout: false, rotation: limits, onProblem: (m) => problems.push(m) });
    for (let i = 0; i < 150; i++) {
      a.info({ seq: i, who: 'a', pad: 'x'.repeat(100) }, 'line');
      b.info({ seq: i, who: 'b', pad: 'y'.repeat(100) }, 'line');
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await closeLogger(a);
    await closeLogger(b);
    const logs = path.join(root, 'logs');
    const lines = readdirSync(logs).flatMap((f) => readFileSync(path.join(logs, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l)));
    for (const who of ['a', 'b']) {
      expect(lines.filter((l) => l.who === who).map((l) => l.seq).sort((x, y) => x - y)).toEqual([...Array(150).keys()]);
    }
    expect(problems).toEqual([]);
    expect(readdirSync(logs).length).toBeGreaterThan(5);
  });

  it('rotated files are old logs to the logs category; the current file stays protected', async () => {
    const root = makeTempDir();
    await logLines(root, 200);
    const logs = path.join(root, 'logs');
    for (const f of readdirSync(logs)) utimesSync(path.join(logs, f), (NOW - 90 * DAY) / 1000, (NOW - 90 * DAY) / 1000);
    const r = await runHandler(logsHandler, settingsFor(root));
    expect(targets(r.items).sort()).toEqual(['logs/cleanup_worker.log.1', 'logs/cleanup_worker.log.2', 'logs/cleanup_worker.log.3']);
    expect(targets(r.skipped)).toEqual(['logs/cleanup_worker.log']);
  });

  it('never renames over a rotated name that is a link: it warns and keeps writing to the current file', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileSync(path.join(outside, 'victim'), 'precious');
    const before = snapshotTree(outside);
    await logLines(root, 5);
    symlinkSync(path.join(outside, 'victim'), path.join(root, 'logs/cleanup_worker.log.2'));
    const problems: string[] = [];
    await logLines(root, 100, LIMITS, problems);
    expect(problems[0]).toMatch(/^log file .*cleanup_worker\.log not rotated: .*cleanup_worker\.log\.2 is not a regular file \(a symbolic link\); remove it; still writing to it$/);
    expect(snapshotTree(outside)).toEqual(before);
    expect(readdirSync(path.join(root, 'logs')).sort()).toEqual(['cleanup_worker.log', 'cleanup_worker.log.2']);
    expect(seqs(path.join(root, 'logs/cleanup_worker.log')).at(-1)).toBe(99);
  });

  it('a log file that is a link is never opened: the problem is reported, the outside file unchanged', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileSync(path.join(outside, 'victim'), 'precious');
    const before = snapshotTree(outside);
    const problems: string[] = [];
    await logLines(root, 1, LIMITS, problems);
    const log = path.join(root, 'logs/cleanup_worker.log');
    expect(existsSync(log)).toBe(true);
    rmSync(log);
    symlinkSync(path.join(outside, 'victim'), log);
    await logLines(root, 3, LIMITS, problems);
    expect(problems).toEqual([`cannot write the log file (log file: ${log} is a symbolic link; links are never followed where the service writes); logging to nowhere only`]);
    expect(snapshotTree(outside)).toEqual(before);
  });
});
