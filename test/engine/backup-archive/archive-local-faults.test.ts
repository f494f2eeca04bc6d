import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveHooks } from '../../../src/engine/backup-archive/hooks.js';
import { backupsHandler } from '../../../src/engine/categories/backups.js';
import { exists, readArchived, settingsWith, sha256, writeBackups } from '../../helpers/archive-fixtures.js';
import { runHandler } from '../../helpers/fs-fixtures.js';
import { DAY, makeTempDir, NOW, writeFileAt } from '../../helpers/temp-root.js';

const LOCAL = { backup_retention: { prod: 1 }, backup_archive: { target: { type: 'local', dir: 'archive/backups' } } };

afterEach(() => {
  archiveHooks.whileReading = undefined;
  archiveHooks.beforeUpload = undefined;
  archiveHooks.afterVerify = undefined;
});

function archivedFiles(root: string): string[] {
  const dir = path.join(root, 'archive/backups/prod');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('a backup that changes while it is archived', () => {
  const changes = [
    { how: 'grows (appended to)', field: 'size', change: (p: string) => appendFileSync(p, 'more bytes') },
    {
      how: 'is rewritten in place (same size)',
      field: 'mtime',
      change: (p: string) => {
        const fd = openSync(p, 'r+');
        writeSync(fd, Buffer.from('X'), 0, 1, 0);
        closeSync(fd);
      },
    },
  ];
  for (const c of changes) {
    it(`${c.how} during compression: skipped, never archived half-written; the next run archives the new bytes`, async () => {
      const root = makeTempDir();
      // Larger than one read chunk (1 MB, prepare-source.ts), so the change lands mid-read.
      const [, old] = writeBackups(root, 'prod', 2, 2_500_000);
      archiveHooks.whileReading = (p) => c.change(p);
      const settings = settingsWith(root, LOCAL);
      const out = await runHandler(backupsHandler, settings);
      expect(out.items).toEqual([]);
      expect(out.skipped).toEqual([{ category: 'backups', target: old?.rel, reason: `changed while it was being compressed (${c.field}); not archived` }]);
      expect(archivedFiles(root)).toEqual([]);
      expect(readdirSync(path.join(root, '.cleanup/archive-spool'))).toEqual([]);
      const changed = readFileSync(path.join(root, old?.rel ?? ''));
      expect(changed.equals(old?.bytes ?? Buffer.alloc(0))).toBe(false);

      archiveHooks.whileReading = undefined;
      const next = await runHandler(backupsHandler, settings);
      expect(next.items.map((i) => i.target)).toEqual([old?.rel]);
      expect(readArchived(root, `archive/backups/prod/${path.basename(old?.rel ?? '')}.gz`).equals(changed)).toBe(true);
    });
  }

  it('a backup stored as it is (.gz) that changes between reading and uploading: the copy is removed, the backup stays', async () => {
    const root = makeTempDir();
    const [, old] = writeBackups(root, 'prod', 2, 10_000, 'db.gz');
    archiveHooks.beforeUpload = () => appendFileSync(path.join(root, old?.rel ?? ''), 'late write');
    const out = await runHandler(backupsHandler, settingsWith(root, LOCAL));
    expect(out.items).toEqual([]);
    expect(out.skipped.map((s) => s.reason)).toEqual(['changed while it was being uploaded; the partial copy was removed and the backup stays']);
    expect(archivedFiles(root).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(exists(root, old?.rel ?? '')).toBe(true);
  });
});

describe('a backup that changes after its copy is verified, before the local delete', () => {
  it('is kept (re-checked right before the unlink); its archived copy stays; nothing is lost', async () => {
    const root = makeTempDir();
    const [, old] = writeBackups(root, 'prod', 2, 5000);
    archiveHooks.afterVerify = () => appendFileSync(path.join(root, old?.rel ?? ''), 'written after the upload');
    const out = await runHandler(backupsHandler, settingsWith(root, LOCAL));
    const copy = `archive/backups/prod/${path.basename(old?.rel ?? '')}.gz`;
    expect(out.items).toEqual([]);
    expect(out.skipped).toEqual([{ category: 'backups', target: old?.rel, reason: `changed since it was planned (size); its archived copy ${copy} stays` }]);
    expect(readFileSync(path.join(root, old?.rel ?? ''), 'utf8').endsWith('written after the upload')).toBe(true);
    expect(readArchived(root, copy).equals(old?.bytes ?? Buffer.alloc(0))).toBe(true);
  });
});

describe('the disk filling up during compression', () => {
  it('(tmpfs of 1 MB as the root) is an error of that backup: it stays intact, no spool or partial copy is left; with room the next run archives it', async (t) => {
    const root = makeTempDir('cw-tmpfs-');
    if (process.getuid?.() !== 0 || spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'cw-archive-test', root]).status !== 0) {
      t.skip(); // needs root (CAP_SYS_ADMIN) to mount a tmpfs
      return;
    }
    try {
      const newest = { rel: 'backups/prod/architect_20260206_000000.db', bytes: randomBytes(100) };
      const old = { rel: 'backups/prod/architect_20260101_000000.db', bytes: randomBytes(650_000) }; // random: gzip cannot shrink it
      for (const w of [newest, old]) writeFileAt(root, w.rel, NOW - DAY, w.bytes);
      const settings = settingsWith(root, LOCAL);
      const out = await runHandler(backupsHandler, settings);
      expect(out.items).toEqual([]);
      expect(out.errors).toEqual([{ category: 'backups', target: old?.rel, message: expect.stringMatching(/^not archived: compressing failed \(ENOSPC: no space left on device.*\); the backup stays$/) }]);
      expect(sha256(readFileSync(path.join(root, old?.rel ?? '')))).toBe(sha256(old?.bytes ?? Buffer.alloc(0)));
      expect(sha256(readFileSync(path.join(root, newest?.rel ?? '')))).toBe(sha256(newest?.bytes ?? Buffer.alloc(0)));
      expect(readdirSync(path.join(root, '.cleanup/archive-spool'))).toEqual([]);
      expect(archivedFiles(root)).toEqual([]);

      expect(spawnSync('mount', ['-o', 'remount,size=8m', root]).status).toBe(0);
      const next = await runHandler(backupsHandler, settings);
      expect(next.errors).toEqual([]);
      expect(exists(root, old?.rel ?? '')).toBe(false);
      expect(readArchived(root, `archive/backups/prod/${path.basename(old?.rel ?? '')}.gz`).equals(old?.bytes ?? Buffer.alloc(0))).toBe(true);
    } finally {
      spawnSync('umount', [root]);
    }
  });
});
