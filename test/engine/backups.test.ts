import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsHandler, isBackupName, parseNameTimestamp } from '../../src/engine/categories/backups.js';
import { runHandler, snapshotTree, targets } from '../helpers/fs-fixtures.js';
import { DAY, HOUR, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

/** Writes `n` backups for `env` (null: directly in backups/), one a day back, named without a timestamp. */
function writeBackups(root: string, env: string | null, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const rel = `backups/${env === null ? '' : `${env}/`}arch_${String(i).padStart(2, '0')}.db`;
    writeFileAt(root, rel, NOW - (i + 1) * DAY, 'backup');
    return rel;
  });
}

describe('backups: which files count', () => {
  it('keeps the N most recent backups of every environment and deletes the rest', async () => {
    const root = makeTempDir();
    const written = {
      prod: writeBackups(root, 'prod', 12),
      qa: writeBackups(root, 'qa', 6),
      dev: writeBackups(root, 'dev', 6),
      test: writeBackups(root, 'test', 4),
      staging: writeBackups(root, 'staging', 7),
      default: writeBackups(root, null, 6),
    };
    const out = await runHandler(backupsHandler, settingsFor(root));
    const expectedGone = [
      ...written.prod.slice(10),
      ...written.qa.slice(5),
      ...written.dev.slice(5),
      ...written.test.slice(3),
      ...written.staging.slice(5),
      ...written.default.slice(5),
    ].sort();
    expect(targets(out.items)).toEqual(expectedGone);
    for (const rel of Object.values(written).flat()) expect(existsSync(path.join(root, rel))).toBe(!expectedGone.includes(rel));
    expect(out.items.find((i) => i.target === 'backups/prod/arch_11.db')).toEqual({
      category: 'backups',
      target: 'backups/prod/arch_11.db',
      bytes: 6,
      action: 'delete',
      reason: 'older than the 10 most recent prod backups',
    });
    expect(out.items.find((i) => i.target === 'backups/arch_05.db')?.reason).toBe('older than the 5 most recent default backups');
    expect(out.errors).toEqual([]);
  });

  it('never counts nor deletes dotfiles, .tmp, .partial, -journal, -wal and -shm files', async () => {
    const root = makeTempDir();
    const real = writeBackups(root, 'prod', 3);
    const ignored = ['.hidden.db', 'x.db.tmp', 'x.db.partial', 'x.db-journal', 'x.db-wal', 'x.db-shm', 'Y.DB.TMP'];
    const oldCopies = ignored.map((n) => (n.startsWith('.') ? `.old${n}` : `old-${n}`));
    // Newest (they would push real backups out if counted) and oldest (they would be deleted if counted).
    for (const [i, n] of ignored.entries()) writeFileAt(root, `backups/prod/${n}`, NOW - i * 60_000);
    for (const n of oldCopies) writeFileAt(root, `backups/prod/${n}`, NOW - 400 * DAY);
    const out = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: { prod: 2 } } });
    expect(targets(out.items)).toEqual([real[2]]);
    for (const n of [...ignored, ...oldCopies]) expect(existsSync(path.join(root, 'backups/prod', n))).toBe(true);
  });

  it('ignores dot-folders, deeper folders and symbolic links (files and folders)', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeBackups(root, 'prod', 1);
    writeFileAt(root, 'backups/.trash/old1.db', NOW - 300 * DAY);
    writeFileAt(root, 'backups/.trash/old2.db', NOW - 300 * DAY);
    writeFileAt(root, 'backups/prod/archive/old.db', NOW - 300 * DAY);
    for (let i = 0; i < 8; i++) writeFileAt(outside, `env/b${i}.db`, NOW - (100 + i) * DAY);
    symlinkSync(path.join(outside, 'env'), path.join(root, 'backups/linked-env'));
    symlinkSync(path.join(outside, 'env/b7.db'), path.join(root, 'backups/prod/link.db'));
    const before = snapshotTree(outside);
    const out = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: 1 } });
    expect(out.items).toEqual([]);
    expect(snapshotTree(outside)).toEqual(before);
    expect(existsSync(path.join(root, 'backups/prod/link.db'))).toBe(true);
    expect(existsSync(path.join(root, 'backups/.trash/old1.db'))).toBe(true);
    expect(existsSync(path.join(root, 'backups/prod/archive/old.db'))).toBe(true);
  });
});

describe('backups: age', () => {
  const old = Date.UTC(2025, 0, 2, 3, 4, 5);
  const layouts = ['20250102_030405', '20250102-030405', '20250102T030405', '2025-01-02_03-04-05', '2025-01-02T03:04:05'];

  for (const ts of layouts) {
    it(`a name timestamp ${ts} beats the mtime`, async () => {
      const root = makeTempDir();
      // Named old but touched an hour ago; a plain file ten days old: the named one is older.
      writeFileAt(root, `backups/prod/arch_${ts}.db`, NOW - HOUR);
      writeFileAt(root, 'backups/prod/plain.db', NOW - 10 * DAY);
      const out = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: 1 } });
      expect(targets(out.items)).toEqual([`backups/prod/arch_${ts}.db`]);
      expect(existsSync(path.join(root, 'backups/prod/plain.db'))).toBe(true);
    });
  }

  it.each([
    ['20250102_030405', old],
    ['x-2025-01-02T03:04:05Z.sql.gz', old],
    ['db_20261301_000000', null], // month 13
    ['db_20260230_000000', null], // 30 February
    ['db_20260101_240000', null], // hour 24
    ['db_20260101_236000', null], // minute 60
    ['db_120260101_000000', null], // nine digits: not a date
    ['db_20260230_000000_20250102_030405', old], // first valid one
    ['plain.db', null],
  ])('parseNameTimestamp(%s)', (name, expected) => {
    expect(parseNameTimestamp(name)).toBe(expected);
  });

  it('an impossible date in the name falls back to the mtime', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'backups/prod/arch_20251399_000000.db', NOW - HOUR);
    writeFileAt(root, 'backups/prod/plain.db', NOW - 10 * DAY);
    const out = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: 1 } });
    expect(targets(out.items)).toEqual(['backups/prod/plain.db']);
  });

  it('isBackupName accepts ordinary names only', () => {
    expect(['a.db', 'a.sql.gz', 'prod-20250101.tar'].every(isBackupName)).toBe(true);
    expect(['.a.db', 'a.tmp', 'a.partial', 'a-journal', 'a-wal', 'a-shm', ''].some(isBackupName)).toBe(false);
  });
});

describe('backups: retention settings', () => {
  it('an integer retention applies to every environment', async () => {
    const root = makeTempDir();
    const prod = writeBackups(root, 'prod', 4);
    const other = writeBackups(root, 'other', 4);
    const out = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: 2 } });
    expect(targets(out.items)).toEqual([...prod.slice(2), ...other.slice(2)].sort());
  });

  it('a per-environment object merges over the defaults ({prod: 20})', async () => {
    const root = makeTempDir();
    const prod = writeBackups(root, 'prod', 22);
    const qa = writeBackups(root, 'qa', 7);
    const out = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: { prod: 20 } } });
    expect(targets(out.items)).toEqual([...prod.slice(20), ...qa.slice(5)].sort());
  });
});

describe('backups: dry run and re-checks', () => {
  it('a dry run changes nothing and reports exactly what the real run then removes', async () => {
    const root = makeTempDir();
    writeBackups(root, 'prod', 13);
    writeBackups(root, null, 7);
    const before = snapshotTree(root);
    const dry = await runHandler(backupsHandler, settingsFor(root), { dryRun: true });
    expect(snapshotTree(root)).toEqual(before);
    expect(dry.items).toHaveLength(5);
    const real = await runHandler(backupsHandler, settingsFor(root));
    expect(real.items).toEqual(dry.items);
    for (const i of dry.items) expect(existsSync(path.join(root, i.target))).toBe(false);
  });

  it('keeps a planned backup that became one of the N most recent before deletion', async () => {
    const root = makeTempDir();
    const prod = writeBackups(root, 'prod', 11);
    const out = await runHandler(backupsHandler, settingsFor(root), {
      beforeExecute: () => rmSync(path.join(root, prod[0] as string)),
    });
    expect(out.items).toEqual([]);
    expect(out.skipped).toEqual([
      { category: 'backups', target: prod[10], reason: 'changed since it was planned (now one of the 10 most recent prod backups)' },
    ]);
    expect(existsSync(path.join(root, prod[10] as string))).toBe(true);
  });

  it('does nothing, silently, when backups/ does not exist', async () => {
    const root = makeTempDir();
    mkdirSync(path.join(root, 'logs'));
    const out = await runHandler(backupsHandler, settingsFor(root));
    expect(out).toEqual({ items: [], skipped: [], errors: [], warnings: [] });
  });
});
