import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { makeTempDir } from '../helpers/temp-root.js';

const S3 = { type: 's3', bucket: 'my-backups', prefix: 'architect/', region: 'eu-central-1', endpoint: 'https://s3.example.com', force_path_style: true };

function load(config: object) {
  return loadSettings({ env: {}, root: makeTempDir(), configFile: writeConfig(config) });
}

function refusal(config: object): string {
  try {
    load(config);
  } catch (err) {
    return (err as Error).message.replace(/^config file \S+: /, '');
  }
  throw new Error('accepted');
}

describe('config backup_archive and archive_policy', () => {
  it('is off by default (backups are deleted as before)', () => {
    expect(load({})).toMatchObject({ backupArchive: null, archivePolicy: null });
  });

  it('reads a local and an s3 target; compress defaults to true; a local dir is normalised', () => {
    expect(load({ backup_archive: { target: { type: 'local', dir: './archive/backups/' } } }).backupArchive).toEqual({ compress: true, target: { type: 'local', dir: 'archive/backups' } });
    const s = load({ backup_archive: { compress: false, target: S3 }, archive_policy: { prod: { keep_last: 30 }, default: { keep_last: 10 } } });
    expect(s.backupArchive).toEqual({ compress: false, target: S3 });
    expect(s.archivePolicy).toEqual({ prod: { keep_last: 30 }, default: { keep_last: 10 } });
    expect(Object.isFrozen(s.backupArchive?.target)).toBe(true);
  });

  it('takes the whole restic-style rule set, per environment and default (issue 12: the same rules as backup_policy)', () => {
    const policy = {
      prod: { keep_last: 3, keep_hourly: 24, keep_daily: 7, keep_weekly: 4, keep_monthly: 12, keep_yearly: 2, keep_within: '14d' },
      default: { keep_daily: 7, keep_weekly: 0 },
    };
    expect(load({ backup_archive: { target: S3 }, archive_policy: policy }).archivePolicy).toEqual(policy);
  });

  const refused: Array<[string, object, RegExp]> = [
    ['an unknown key', { backup_archive: { target: S3, encrypt: true } }, /^config: unknown field "backup_archive.encrypt"$/],
    ['an unknown target key', { backup_archive: { target: { ...S3, acl: 'public-read' } } }, /^config: unknown field "backup_archive.target.acl"$/],
    ['an unknown rule', { backup_archive: { target: S3 }, archive_policy: { prod: { keep: 3 } } }, /^config: unknown field "archive_policy.prod.keep"$/],
    ['a wrong type', { backup_archive: { compress: 'yes', target: S3 } }, /backup_archive.compress must be boolean/],
    ['a target type that does not exist', { backup_archive: { target: { type: 'ftp' } } }, /backup_archive.target.type must be "local" or "s3" \(got "ftp"\)/],
    ['a bucket of the wrong type', { backup_archive: { target: { ...S3, bucket: 42 } } }, /backup_archive.target.bucket must be string/],
    ['a missing bucket', { backup_archive: { target: { type: 's3' } } }, /^config: backup_archive.target.bucket is required$/],
    ['a bucket name S3 would refuse', { backup_archive: { target: { ...S3, bucket: 'My_Bucket' } } }, /^config: backup_archive.target.bucket must be string to match/],
    ['an empty rule set', { backup_archive: { target: S3 }, archive_policy: { prod: {} } }, /^config: archive_policy.prod must be object to have at least 1 properties$/],
    ['a rule set that keeps nothing', { backup_archive: { target: S3 }, archive_policy: { prod: { keep_daily: 0, keep_within: '0d' } } }, /^config: archive_policy.prod keeps nothing: an empty retention policy would remove every backup/],
    ['a malformed duration', { backup_archive: { target: S3 }, archive_policy: { prod: { keep_within: '14 days' } } }, /archive_policy.prod.keep_within must be a duration: integers with units y, m, w, d, h/],
    ['a negative count', { backup_archive: { target: S3 }, archive_policy: { default: { keep_weekly: -1 } } }, /archive_policy.default.keep_weekly must be integer to be greater or equal to 0/],
    ['one environment twice', { backup_archive: { target: S3 }, archive_policy: { prod: { keep_daily: 7 }, PROD: { keep_daily: 3 } } }, /archive_policy.prod and archive_policy.PROD name the same environment/],
    ['an access key in the file', { backup_archive: { target: { ...S3, access_key_id: 'AKIA…' } } }, /backup_archive.target.access_key_id: credentials are never read from the config file/],
    ['a secret in the file', { backup_archive: { target: { ...S3, secretAccessKey: 'x' } } }, /backup_archive.target.secretAccessKey: credentials are never read/],
    ['credentials in the endpoint', { backup_archive: { target: { ...S3, endpoint: 'https://key:secret@s3.example.com' } } }, /endpoint must not carry credentials/],
    ['an endpoint that is not a URL', { backup_archive: { target: { ...S3, endpoint: 'not a url' } } }, /endpoint must be a URL/],
    ['a timeout of 0', { backup_archive: { target: { ...S3, timeout_seconds: 0 } } }, /backup_archive.target.timeout_seconds must be integer to be greater or equal to 1/],
    ['a local dir outside the root', { backup_archive: { target: { type: 'local', dir: '../elsewhere' } } }, /backup_archive.target.dir must be a relative path inside the root/],
    ['a local dir that is the backups folder', { backup_archive: { target: { type: 'local', dir: 'backups/archive' } } }, /overlaps paths.backups/],
    ['a local dir that is the archive folder itself', { backup_archive: { target: { type: 'local', dir: 'archive' } } }, /must be a folder inside paths.archive, not the archive folder itself/],
    ['a local dir that is the state folder', { backup_archive: { target: { type: 'local', dir: '.cleanup' } } }, /overlaps paths.state/],
    ['keep_last 0', { backup_archive: { target: S3 }, archive_policy: { prod: { keep_last: 0 } } }, /archive_policy.prod.keep_last must be integer to be greater or equal to 1/],
    ['archive_policy without an archive', { archive_policy: { prod: { keep_last: 3 } } }, /archive_policy applies to archived backups: set backup_archive too/],
  ];
  for (const [what, config, message] of refused) {
    it(`refuses ${what}, naming the field`, () => {
      expect(refusal(config)).toMatch(message);
    });
  }
});
