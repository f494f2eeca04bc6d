import { readdirSync, readFileSync, symlinkSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsHandler } from '../../../src/engine/categories/backups.js';
import { createLocalTarget } from '../../../src/targets/local.js';
import { restoreBackup } from '../../../src/engine/backup-archive/restore.js';
import { exists, readArchived, settingsWith, sha256, writeBackups } from '../../helpers/archive-fixtures.js';
import { runHandler, snapshotTree, targets } from '../../helpers/fs-fixtures.js';
import { makeTempDir, NOW, writeFileAt } from '../../helpers/temp-root.js';

const LOCAL = { backup_archive: { target: { type: 'local', dir: 'archive/backups' } }, backup_retention: { prod: 2 } };

describe('archiving backups to a local folder', () => {
  it('archives the prod backups the policy does not keep: gzip copy with metadata, local file removed, restore gives the same bytes', async () => {
    const root = makeTempDir();
    const written = writeBackups(root, 'prod', 5);
    const settings = settingsWith(root, LOCAL);
    const out = await runHandler(backupsHandler, settings);

    expect(out.errors).toEqual([]);
    const gone = written.slice(2);
    expect(targets(out.items)).toEqual(gone.map((w) => w.rel).sort());
    const first = out.items.find((i) => i.target === gone[0]?.rel);
    const name = path.basename(gone[0]?.rel ?? '');
    expect(first).toEqual({
      category: 'backups',
      target: gone[0]?.rel,
      bytes: gone[0]?.bytes.length,
      action: 'archive',
      reason: `older than the 2 most recent prod backups; archived to archive/backups/prod/${name}.gz`,
    });
    for (const w of written.slice(0, 2)) expect(exists(root, w.rel)).toBe(true);
    for (const w of gone) {
      expect(exists(root, w.rel)).toBe(false);
      expect(readArchived(root, `archive/backups/prod/${path.basename(w.rel)}.gz`).equals(w.bytes)).toBe(true);
    }
    const meta = JSON.parse(readFileSync(path.join(root, `archive/backups/prod/.${name}.gz.cwmeta.json`), 'utf8'));
    expect(meta).toMatchObject({ 'cw-original-name': name, 'cw-original-sha256': sha256(gone[0]?.bytes ?? Buffer.alloc(0)), 'cw-env': 'prod', 'cw-run-id': 'test-run', 'cw-compression': 'gzip' });
    // No temp or spool file is left behind.
    expect(readdirSync(path.join(root, 'archive/backups/prod')).filter((n) => n.endsWith('.partial'))).toEqual([]);
    expect(readdirSync(path.join(root, '.cleanup/archive-spool'))).toEqual([]);

    const target = createLocalTarget(root, 'archive/backups');
    const restored = await restoreBackup(settings, target, { env: 'prod', name });
    expect(restored).toMatchObject({ restoredTo: gone[0]?.rel, bytes: gone[0]?.bytes.length });
    expect(readFileSync(path.join(root, gone[0]?.rel ?? '')).equals(gone[0]?.bytes ?? Buffer.alloc(0))).toBe(true);
  });

  it('a dry run lists what would be compressed and archived, with the same reasons and bytes, and changes nothing', async () => {
    const root = makeTempDir();
    writeBackups(root, 'prod', 4);
    const settings = settingsWith(root, LOCAL);
    const before = snapshotTree(root);
    const dry = await runHandler(backupsHandler, settings, { dryRun: true });
    expect(snapshotTree(root)).toEqual(before);
    expect(dry.items.map((i) => i.action)).toEqual(['archive', 'archive']);
    const real = await runHandler(backupsHandler, settings);
    expect(real.items.map(({ target, bytes, reason }) => ({ target, bytes, reason })).sort((a, b) => a.target.localeCompare(b.target))).toEqual(
      dry.items.map(({ target, bytes, reason }) => ({ target, bytes, reason })).sort((a, b) => a.target.localeCompare(b.target)),
    );
  });

  it('stores .gz, .zst, .xz and .bz2 backups as they are (not compressed again)', async () => {
    const root = makeTempDir();
    for (const ext of ['gz', 'zst', 'xz', 'bz2']) writeBackups(root, ext, 2, 1000, `db.${ext}`);
    const settings = settingsWith(root, { ...LOCAL, backup_retention: 1 });
    const out = await runHandler(backupsHandler, settings);
    expect(out.errors).toEqual([]);
    expect(out.items).toHaveLength(4);
    for (const i of out.items) {
      const name = path.basename(i.target);
      expect(i.reason).toMatch(new RegExp(`archived to archive/backups/[a-z0-9]+/${name.replace(/\./g, '\\.')}$`));
      expect(exists(root, `archive/backups/${i.target.split('/')[1]}/${name}`)).toBe(true);
    }
  });

  it('an identical copy already on the target is not written again: the next run only removes the local file (crash after upload)', async () => {
    const root = makeTempDir();
    const [, old] = writeBackups(root, 'prod', 2);
    const settings = settingsWith(root, { ...LOCAL, backup_retention: { prod: 1 } });
    // First run archives; then the backup comes back (as after a crash between upload and delete).
    await runHandler(backupsHandler, settings);
    const stored = path.join(root, `archive/backups/prod/${path.basename(old?.rel ?? '')}.gz`);
    const storedBefore = readFileSync(stored);
    const mtimeBefore = snapshotTree(path.join(root, 'archive'));
    writeFileAt(root, old?.rel ?? '', NOW - 2 * 86_400_000, old?.bytes);
    const again = await runHandler(backupsHandler, settings);
    expect(again.errors).toEqual([]);
    expect(targets(again.items)).toEqual([old?.rel]);
    expect(exists(root, old?.rel ?? '')).toBe(false);
    expect(readFileSync(stored).equals(storedBefore)).toBe(true);
    expect(snapshotTree(path.join(root, 'archive'))).toEqual(mtimeBefore); // not rewritten
  });

  it('a different backup already archived under the same name is never replaced: the local backup stays, an error says why', async () => {
    const root = makeTempDir();
    const [, old] = writeBackups(root, 'prod', 2);
    const settings = settingsWith(root, { ...LOCAL, backup_retention: { prod: 1 } });
    await runHandler(backupsHandler, settings);
    const storedPath = path.join(root, `archive/backups/prod/${path.basename(old?.rel ?? '')}.gz`);
    const stored = readFileSync(storedPath);
    writeFileAt(root, old?.rel ?? '', NOW - 2 * 86_400_000, 'another backup with the same name');
    const again = await runHandler(backupsHandler, settings);
    expect(again.items).toEqual([]);
    expect(again.errors).toEqual([
      { category: 'backups', target: old?.rel, message: expect.stringMatching(/already holds a different backup; it is not replaced and the backup stays/) },
    ]);
    expect(readFileSync(path.join(root, old?.rel ?? ''), 'utf8')).toBe('another backup with the same name');
    expect(readFileSync(storedPath).equals(stored)).toBe(true);
  });

  it('refuses a symbolic link on the way to the archive folder: nothing written outside, every backup stays', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    const written = writeBackups(root, 'prod', 3);
    mkdirSync(path.join(root, 'archive'));
    symlinkSync(outside, path.join(root, 'archive/backups'));
    const settings = settingsWith(root, { ...LOCAL, backup_retention: { prod: 1 } });
    const out = await runHandler(backupsHandler, settings);
    expect(out.items).toEqual([]);
    expect(out.errors).toHaveLength(2);
    for (const e of out.errors) expect(e.message).toMatch(/archive\/backups is a symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
    for (const w of written) expect(exists(root, w.rel)).toBe(true);
  });

  it('archive_policy deletes only archived copies it wrote: a foreign file in the archive folder, or one deeper down, is left alone', async () => {
    const root = makeTempDir();
    writeBackups(root, 'prod', 4, 100);
    writeFileAt(root, 'archive/backups/prod/architect_20200101_000000.db.gz', NOW, 'put there by hand');
    writeFileAt(root, 'archive/backups/prod/old/architect_20200101_000000.db.gz', NOW, 'deeper down');
    const settings = settingsWith(root, { ...LOCAL, backup_retention: { prod: 1 }, archive_policy: { prod: { keep_last: 1 } } });
    const out = await runHandler(backupsHandler, settings);
    expect(out.errors).toEqual([]);
    expect(out.skipped).toEqual([
      { category: 'backups', target: 'archive/backups/prod/architect_20200101_000000.db.gz', reason: 'not written by cleanup-worker (no metadata); left alone' },
    ]);
    expect(out.items.filter((i) => i.action === 'delete').map((i) => i.target)).toHaveLength(2);
    expect(readFileSync(path.join(root, 'archive/backups/prod/architect_20200101_000000.db.gz'), 'utf8')).toBe('put there by hand');
    expect(readFileSync(path.join(root, 'archive/backups/prod/old/architect_20200101_000000.db.gz'), 'utf8')).toBe('deeper down');
  });

  it('archive_policy does not count a foreign file: one named newer than every copy takes no slot, so our newest copy stays', async () => {
    const root = makeTempDir();
    const written = writeBackups(root, 'prod', 4, 100);
    // Named a minute before NOW: newer than every backup, but not written by cleanup-worker.
    writeFileAt(root, 'archive/backups/prod/architect_20260207_190636.db.gz', NOW, 'not ours');
    const settings = settingsWith(root, { ...LOCAL, backup_retention: { prod: 1 }, archive_policy: { prod: { keep_last: 1 } } });
    const out = await runHandler(backupsHandler, settings);
    expect(out.errors).toEqual([]);
    // Backups 2-4 were archived; of the copies, the newest of OURS (backup 2) is kept, 3 and 4 go.
    const copy = (i: number) => `archive/backups/prod/${path.basename(written[i]?.rel ?? '')}.gz`;
    expect(exists(root, copy(1))).toBe(true);
    expect(exists(root, copy(2))).toBe(false);
    expect(exists(root, copy(3))).toBe(false);
    expect(readFileSync(path.join(root, 'archive/backups/prod/architect_20260207_190636.db.gz'), 'utf8')).toBe('not ours');
    expect(out.skipped).toEqual([
      { category: 'backups', target: 'archive/backups/prod/architect_20260207_190636.db.gz', reason: 'not written by cleanup-worker (no metadata); left alone' },
    ]);
  });
});
