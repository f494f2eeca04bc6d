/**
 * kill -9 between the upload and the local delete (a child process stopped exactly there by
 * archiveHooks.afterVerify; run `npm run build` first: the child runs dist/). The backup must
 * still be there, the copy complete, and the next run must finish the move without uploading
 * again.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, readArchived, s3Config, settingsWith, sha256, writeBackups } from '../../helpers/archive-fixtures.js';
import { runEngine } from '../../helpers/engine-run.js';
import { startFaultProxy } from '../../helpers/fault-proxy.js';
import { writeConfig } from '../../helpers/fs-fixtures.js';
import { startS3 } from '../../helpers/s3-server.js';
import { makeTempDir, NOW } from '../../helpers/temp-root.js';

const REPO = path.resolve(__dirname, '../../..');
const CHILD = path.join(__dirname, 'crash-child.mjs');

function runChild(root: string, config: string): Promise<{ signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--no-warnings', CHILD, REPO, root, config, String(NOW)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, stdout }));
  });
}

describe('kill -9 between the upload and the local delete', () => {
  it('S3: the backup stays, the copy is complete; the next run removes the backup without uploading it again', async () => {
    const s3 = await startS3();
    const proxy = await startFaultProxy(s3.port);
    const root = makeTempDir();
    const [, old] = writeBackups(root, 'prod', 2, 50_000);
    const config = s3Config(proxy.endpoint, s3.bucket);
    const crashed = await runChild(root, writeConfig(config));
    expect(crashed.signal).toBe('SIGKILL');
    expect(crashed.stdout).toMatch(/^verified prod\/architect_\d{8}_\d{6}\.db\.gz\n$/);
    expect(sha256(readFileSync(path.join(root, old?.rel ?? '')))).toBe(sha256(old?.bytes ?? Buffer.alloc(0)));
    expect(readdirSync(path.join(root, '.cleanup/archive-spool'))).toHaveLength(1); // the killed run's spool file

    const putsBefore = proxy.seen.filter((r) => r.method === 'PUT').length;
    const next = await runEngine(settingsWith(root, config));
    expect(next.errors).toEqual([]);
    expect(next.items.map((i) => [i.target, i.action])).toEqual([[old?.rel, 'archive']]);
    expect(exists(root, old?.rel ?? '')).toBe(false);
    expect(proxy.seen.filter((r) => r.method === 'PUT').length).toBe(putsBefore); // not uploaded again
    expect(readdirSync(path.join(root, '.cleanup/archive-spool'))).toEqual([]); // the leftover spool is gone
  });

  it('local folder: the same, and the archived file is not rewritten', async () => {
    const root = makeTempDir();
    const [, old] = writeBackups(root, 'prod', 2, 50_000);
    const config = { backup_retention: { prod: 1 }, backup_archive: { target: { type: 'local', dir: 'archive/backups' } } };
    const crashed = await runChild(root, writeConfig(config));
    expect(crashed.signal).toBe('SIGKILL');
    const copy = `archive/backups/prod/${path.basename(old?.rel ?? '')}.gz`;
    expect(readArchived(root, copy).equals(old?.bytes ?? Buffer.alloc(0))).toBe(true);
    expect(exists(root, old?.rel ?? '')).toBe(true);
    const inode = statSync(path.join(root, copy)).ino;

    const next = await runEngine(settingsWith(root, config));
    expect(next.errors).toEqual([]);
    expect(exists(root, old?.rel ?? '')).toBe(false);
    expect(statSync(path.join(root, copy)).ino).toBe(inode);
  });
});
