import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLogName, logsHandler } from '../../src/engine/categories/logs.js';
import { holdOpen, runHandler, snapshotTree, targets, writeConfig } from '../helpers/fs-fixtures.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

const LOG_NAMES = ['app.log', 'app.log.1', 'app.log.12', 'app.log.gz', 'app.log.3.gz', 'app.log-20260101', 'app.log-20260101.gz', '.hidden.log'];
const OTHER_NAMES = ['app.log.bak', 'app.txt', 'app.log.1.bz2', 'app.log-2026', 'app.log-202601011', 'app.logx', 'notes.md', 'app.LOG', 'app.log.gz.tmp', 'log', '.log'];

describe('logs: which files', () => {
  it.each(LOG_NAMES)('deletes an old %s', async (name) => {
    const root = makeTempDir();
    writeFileAt(root, `logs/${name}`, NOW - 41 * DAY, 'hello');
    const out = await runHandler(logsHandler, settingsFor(root));
    expect(out.items).toEqual([{ category: 'logs', target: `logs/${name}`, bytes: 5, action: 'delete', reason: 'modified 41 days ago, limit 30 days' }]);
    expect(existsSync(path.join(root, 'logs', name))).toBe(false);
  });

  it('keeps old files whose names are not log names', async () => {
    const root = makeTempDir();
    for (const name of OTHER_NAMES) writeFileAt(root, `logs/${name}`, NOW - 400 * DAY);
    const out = await runHandler(logsHandler, settingsFor(root));
    expect(out.items).toEqual([]);
    for (const name of OTHER_NAMES) expect(existsSync(path.join(root, 'logs', name))).toBe(true);
    expect(OTHER_NAMES.some(isLogName)).toBe(false);
  });

  it('looks recursively under logs/ and nowhere else', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'logs/a/b/c/deep.log', NOW - 60 * DAY);
    writeFileAt(root, 'elsewhere/old.log', NOW - 60 * DAY);
    writeFileAt(root, 'old.log', NOW - 60 * DAY);
    const out = await runHandler(logsHandler, settingsFor(root));
    expect(targets(out.items)).toEqual(['logs/a/b/c/deep.log']);
    expect(existsSync(path.join(root, 'elsewhere/old.log'))).toBe(true);
    expect(existsSync(path.join(root, 'old.log'))).toBe(true);
    expect(existsSync(path.join(root, 'logs/a/b/c'))).toBe(true); // logs never removes folders
  });
});

describe('logs: age', () => {
  it('keeps a log exactly 30 days old and deletes one a second older', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'logs/edge.log', NOW - 30 * DAY);
    writeFileAt(root, 'logs/over.log', NOW - 30 * DAY - 1000);
    writeFileAt(root, 'logs/fresh.log', NOW - DAY);
    const out = await runHandler(logsHandler, settingsFor(root));
    expect(targets(out.items)).toEqual(['logs/over.log']);
    expect(existsSync(path.join(root, 'logs/edge.log'))).toBe(true);
  });

  it('log_age_days changes the limit', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'logs/two.log', NOW - 2 * DAY);
    const out = await runHandler(logsHandler, settingsFor(root), { overrides: { log_age_days: 1 } });
    expect(out.items.map((i) => i.reason)).toEqual(['modified 2 days ago, limit 1 day']);
  });
});

describe('logs: protection', () => {
  it("never deletes the service's own log file", async () => {
    const root = makeTempDir();
    writeFileAt(root, 'logs/cleanup_worker.log', NOW - 90 * DAY);
    writeFileAt(root, 'logs/cleanup_worker.log.1', NOW - 90 * DAY);
    const out = await runHandler(logsHandler, settingsFor(root));
    expect(out.skipped).toEqual([{ category: 'logs', target: 'logs/cleanup_worker.log', reason: "the service's own log file" }]);
    expect(targets(out.items)).toEqual(['logs/cleanup_worker.log.1']);
    expect(existsSync(path.join(root, 'logs/cleanup_worker.log'))).toBe(true);
  });

  it('skips a log held open by a live process, naming its pid', async () => {
    const root = makeTempDir();
    const file = writeFileAt(root, 'logs/worker.log', NOW - 90 * DAY);
    writeFileAt(root, 'logs/closed.log', NOW - 90 * DAY);
    const pid = await holdOpen(file);
    for (const dryRun of [true, false]) {
      const out = await runHandler(logsHandler, settingsFor(root), { dryRun });
      expect(out.skipped).toEqual([{ category: 'logs', target: 'logs/worker.log', reason: `open by pid ${pid}` }]);
    }
    expect(existsSync(file)).toBe(true);
    expect(existsSync(path.join(root, 'logs/closed.log'))).toBe(false);
  });

  it('skips a log opened between planning and deleting', async () => {
    const root = makeTempDir();
    const file = writeFileAt(root, 'logs/late.log', NOW - 90 * DAY);
    let pid = 0;
    const out = await runHandler(logsHandler, settingsFor(root), {
      beforeExecute: async () => {
        pid = await holdOpen(file);
      },
    });
    expect(out.items).toEqual([]);
    expect(out.skipped).toEqual([{ category: 'logs', target: 'logs/late.log', reason: `open by pid ${pid}` }]);
    expect(existsSync(file)).toBe(true);
  });

  it('skips files matching a protect glob from the config file', async () => {
    const root = makeTempDir();
    const config = writeConfig({ protect: ['logs/keep_me*', '**/*.pin'] });
    writeFileAt(root, 'logs/keep_me.log', NOW - 90 * DAY);
    writeFileAt(root, 'logs/sub/x.log', NOW - 90 * DAY);
    writeFileSync(path.join(root, 'logs/sub/x.log.pin'), '');
    writeFileAt(root, 'logs/sub/y.log.pin', NOW - 90 * DAY);
    writeFileAt(root, 'logs/.dot/z.log.pin', NOW - 90 * DAY);
    const out = await runHandler(logsHandler, settingsFor(root, {}, config));
    expect(targets(out.items)).toEqual(['logs/sub/x.log']);
    expect(out.skipped).toEqual(
      expect.arrayContaining([{ category: 'logs', target: 'logs/keep_me.log', reason: 'protected by glob "logs/keep_me*"' }]),
    );
    expect(out.skipped).toHaveLength(1); // *.pin files are not log names: kept without a word
    expect(existsSync(path.join(root, 'logs/keep_me.log'))).toBe(true);
  });

  it('a dry run changes nothing and reports exactly what the real run then removes', async () => {
    const root = makeTempDir();
    for (const [i, name] of LOG_NAMES.entries()) writeFileAt(root, `logs/d${i % 3}/${name}`, NOW - (20 + i * 3) * DAY, 'x'.repeat(i));
    const before = snapshotTree(root);
    const dry = await runHandler(logsHandler, settingsFor(root), { dryRun: true });
    expect(snapshotTree(root)).toEqual(before);
    expect(dry.items.length).toBeGreaterThan(2);
    const real = await runHandler(logsHandler, settingsFor(root));
    expect(targets(real.items)).toEqual(targets(dry.items));
    expect(real.items).toEqual(expect.arrayContaining(dry.items));
    for (const i of dry.items) expect(existsSync(path.join(root, i.target))).toBe(false);
  });
});
