/** `cleanup-worker restore` as a real child process (run `npm run build` first), against s3rver. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { s3Config, settingsWith, sha256, writeBackups } from '../helpers/archive-fixtures.js';
import { runEngine } from '../helpers/engine-run.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { startS3 } from '../helpers/s3-server.js';
import { makeTempDir } from '../helpers/temp-root.js';
import { cliEnv, runCli } from './cli-helpers.js';

const AWS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_EC2_METADATA_DISABLED: 'true' };

describe('cleanup-worker restore <env>/<name>', () => {
  it('restores an archived backup from S3 byte for byte, refuses to overwrite it, and restores into --to DIR', async () => {
    const s3 = await startS3();
    const root = makeTempDir();
    const [, old] = writeBackups(root, 'prod', 2, 30_000);
    const configObj = s3Config(s3.endpoint, s3.bucket);
    const config = writeConfig(configObj);
    expect((await runEngine(settingsWith(root, configObj))).errors).toEqual([]);
    const name = path.basename(old?.rel ?? '');
    const env = cliEnv(AWS);

    const r = await runCli(['restore', `prod/${name}`, '--root', root, '--config', config], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`restored prod/${name} from s3://archive-test/architect/prod/${name}.gz to ${old?.rel} (${old?.bytes.length} bytes, SHA-256 verified)\n`);
    expect(sha256(readFileSync(path.join(root, old?.rel ?? '')))).toBe(sha256(old?.bytes ?? Buffer.alloc(0)));

    writeFileSync(path.join(root, old?.rel ?? ''), 'edited since');
    const again = await runCli(['restore', `prod/${name}`, '--root', root, '--config', config], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; a restore never overwrites/);
    expect(readFileSync(path.join(root, old?.rel ?? ''), 'utf8')).toBe('edited since');

    const elsewhere = makeTempDir('cw-restore-to-');
    const to = await runCli(['restore', `prod/${name}.gz`, '--to', elsewhere, '--root', root, '--config', config, '--json'], { env });
    expect(to.code).toBe(0);
    expect(JSON.parse(to.stdout)).toMatchObject({ success: true, restored_to: path.join(elsewhere, name), sha256: sha256(old?.bytes ?? Buffer.alloc(0)) });
    expect(sha256(readFileSync(path.join(elsewhere, name)))).toBe(sha256(old?.bytes ?? Buffer.alloc(0)));
  });

  it('usage and config errors exit 2 with one line: no name, no env, an unknown flag, no archive configured, no such backup', async () => {
    const root = makeTempDir();
    const local = writeConfig({ backup_archive: { target: { type: 'local', dir: 'archive/backups' } } });
    const cases: Array<[string[], RegExp]> = [
      [['restore'], /restore needs one archived backup, as <env>\/<name>/],
      [['restore', 'prod'], /"prod" is not <env>\/<name>/],
      [['restore', 'prod/x.db', '--keep', '3'], /restore: Unknown option '--keep'/],
      [['restore', 'prod/x.db', '--root', root], /no archive target is configured/],
      [['restore', 'prod/x.db', '--root', root, '--config', local], /no archived backup prod\/x.db in archive\/backups\//],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
