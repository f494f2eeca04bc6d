/**
 * Issue 10: a protect glob naming a folder protects everything under it, with or without a
 * trailing slash (`logs/keep`, `logs/keep/`, `tmp/pinned/**`). Before, `logs/keep` protected the
 * folder's own path only, and the old logs inside it were deleted.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createProtection } from '../../src/engine/fs/protection.js';
import { logsHandler } from '../../src/engine/categories/logs.js';
import { tempHandler } from '../../src/engine/categories/temp.js';
import { runHandler, targets, writeConfig } from '../helpers/fs-fixtures.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

const OLD = NOW - 90 * DAY;
const PATHS = { sessions: 'sessions', log_file: 'logs/cleanup_worker.log', database: 'architect.db' };

describe('protect globs that name a folder', () => {
  it.each(['logs/keep', 'logs/keep/', 'logs/keep//', 'logs/keep/**', 'logs/kee?'])('%s protects the folder and everything below it', (glob) => {
    const p = createProtection(PATHS, [glob]);
    for (const t of ['logs/keep', 'logs/keep/a.log', 'logs/keep/deep/er/b.log.1', 'logs/keep/.hidden.log']) {
      expect(p.reasonFor(t), t).toBe(`protected by glob "${glob}"`);
    }
    expect(p.reasonFor('logs/keeper.log')).toBeUndefined();
    expect(p.reasonFor('logs/other/a.log')).toBeUndefined();
  });

  it('file globs keep matching files only, and a folder they happen to match', () => {
    const p = createProtection(PATHS, ['**/*.pin']);
    expect(p.reasonFor('tmp/a.pin')).toBe('protected by glob "**/*.pin"');
    expect(p.reasonFor('tmp/b.pin/inside.tmp')).toBe('protected by glob "**/*.pin"');
    expect(p.reasonFor('tmp/a.pinx')).toBeUndefined();
  });

  it('a real run keeps every old log and temp file under folders named by globs, and removes the rest', async () => {
    const root = makeTempDir();
    const kept = ['logs/keep/old.log', 'logs/keep/deep/old.log.1', 'logs/slash/old.log', 'tmp/pinned/a/old.tmp', 'tmp/pinned/old.tmp', 'cache/bare/x/old.bin'];
    const removed = ['logs/old.log', 'logs/keeper.log', 'tmp/other/old.tmp', 'cache/bare2/old.bin'];
    for (const rel of [...kept, ...removed]) writeFileAt(root, rel, OLD);
    const config = writeConfig({ protect: ['logs/keep', 'logs/slash/', 'tmp/pinned/**', 'cache/bare'] });
    const settings = settingsFor(root, {}, config);
    const logs = await runHandler(logsHandler, settings);
    const temp = await runHandler(tempHandler, settings);
    const deleted = [...targets(logs.items), ...targets(temp.items)].filter((t) => !t.endsWith('/other') && !t.endsWith('/bare2'));
    expect(deleted.sort()).toEqual([...removed].sort());
    for (const rel of kept) expect(existsSync(path.join(root, rel)), rel).toBe(true);
    for (const rel of removed) expect(existsSync(path.join(root, rel)), rel).toBe(false);
    expect([...logs.skipped, ...temp.skipped].map((s) => s.target).sort()).toEqual([...kept].sort());
  });
});
