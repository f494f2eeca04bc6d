/**
 * SPEC 3.12: roots that are whole systems are refused. `--root /` once planned the removal of
 * hundreds of thousands of the machine's files under /tmp and /var.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadSettings } from '../../src/config/settings.js';
import { SYSTEM_FOLDERS } from '../../src/config/root-guard.js';
import { makeTempDir } from '../helpers/temp-root.js';

const SPEC_LIST = '/bin /boot /dev /etc /home /lib /lib64 /opt /proc /root /run /sbin /srv /sys /tmp /usr /var'.split(' ');

function refusal(opts: Parameters<typeof loadSettings>[0]): string {
  try {
    loadSettings(opts);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error(`accepted root ${opts.root ?? opts.env.ARCHITECT_HOME}`);
}

describe('roots that are whole systems', () => {
  it('knows exactly the system folders the SPEC lists', () => {
    expect([...SYSTEM_FOLDERS]).toEqual(SPEC_LIST);
  });

  it.each(['/', '//', ...SPEC_LIST, '/etc/', '/tmp/../etc', '/usr/./', '/var/lib/..'])('refuses --root %s, saying why', (root) => {
    const cwd = makeTempDir();
    const msg = refusal({ env: {}, cwd, root });
    expect(msg).toMatch(/^--root ".*" is \/\S* ?.*, (the whole file system|a system folder): cleaning it would delete files that are not the dashboard's/);
  });

  it('refuses the same roots from ARCHITECT_HOME and from the config file', () => {
    const cwd = makeTempDir();
    expect(refusal({ env: { ARCHITECT_HOME: '/' }, cwd })).toMatch(/^ARCHITECT_HOME "\/" is \/, the whole file system/);
    const file = path.join(cwd, 'cleanup.json');
    writeFileSync(file, JSON.stringify({ root: '/var' }));
    expect(refusal({ env: {}, cwd, configFile: file })).toMatch(/^the config file's root "\/var" is \/var, a system folder/);
  });

  it('refuses the home folder (HOME given to the settings, and the OS home)', () => {
    const home = makeTempDir('cw-home-');
    expect(refusal({ env: { HOME: home }, root: home })).toMatch(/the home folder/);
    expect(refusal({ env: { HOME: home }, root: `${home}/` })).toMatch(/the home folder/);
    expect(refusal({ env: {}, root: os.homedir() })).toMatch(/the home folder|a system folder/);
  });

  it('refuses a root that reaches a system folder or / through a link', () => {
    const dir = makeTempDir();
    symlinkSync('/', path.join(dir, 'slash'));
    symlinkSync('/etc', path.join(dir, 'etc'));
    expect(refusal({ env: {}, root: path.join(dir, 'slash') })).toMatch(/is \/ \(through links or "\.\."\), the whole file system/);
    expect(refusal({ env: {}, root: path.join(dir, 'etc') })).toMatch(/is \/etc \(through links or "\.\."\), a system folder/);
    const home = makeTempDir('cw-home-');
    symlinkSync(home, path.join(dir, 'home-link'));
    expect(refusal({ env: { HOME: home }, root: path.join(dir, 'home-link') })).toMatch(/the home folder/);
  });

  it.each(['/srv/architect', '/var/lib/architect', '/data', '/home/dashboard/data', '/opt/architect/data'])('accepts %s', (root) => {
    expect(loadSettings({ env: {}, root }).root).toBe(root);
  });

  it('accepts a folder inside the home folder', () => {
    const home = makeTempDir('cw-home-');
    expect(loadSettings({ env: { HOME: home }, root: path.join(home, 'architect') }).root).toBe(path.join(home, 'architect'));
  });
});
