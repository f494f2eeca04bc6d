/** src/engine/fs/mounts.ts: reading mountinfo, including its octal escapes. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountPointsBelow, readMountPoints } from '../../src/engine/fs/mounts.js';
import { makeTempDir } from '../helpers/temp-root.js';

describe('mount points', () => {
  it('reads mount points with escaped spaces, tabs, newlines and backslashes', async () => {
    const file = path.join(makeTempDir(), 'mountinfo');
    writeFileSync(
      file,
      [
        '22 27 0:21 / /proc rw,relatime - proc proc rw',
        '90 27 254:1 /srv/data /root/tmp/with\\040space rw,relatime - ext4 /dev/vda rw',
        '91 27 254:1 /srv/data /root/tmp/a\\011b\\012c\\134d rw - ext4 /dev/vda rw',
        '',
      ].join('\n'),
    );
    expect(await readMountPoints(file)).toEqual(['/proc', '/root/tmp/with space', '/root/tmp/a\tb\nc\\d']);
  });

  it('keeps only the mount points strictly below a folder', () => {
    const points = ['/', '/root/tmp', '/root/tmp/x', '/root/tmpfoo', '/root/tmp/x/y'];
    expect(mountPointsBelow(points, '/root/tmp')).toEqual(['/root/tmp/x', '/root/tmp/x/y']);
  });

  it('knows no mount points where mountinfo cannot be read', async () => {
    expect(await readMountPoints(path.join(makeTempDir(), 'missing'))).toEqual([]);
  });
});
