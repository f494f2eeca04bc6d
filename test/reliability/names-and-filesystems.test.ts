/**
 * The file half of issue 10's hunt: hard links to outside files, a temp folder that is itself
 * another filesystem, a bind mount whose name is not UTF-8, names of 255 bytes, and paths
 * longer than PATH_MAX. Real runs with the most aggressive policy; an outside sentinel must
 * stay byte-for-byte unchanged.
 */
import { spawnSync } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RunOverrides } from '../../src/config/schema.js';
import type { Settings } from '../../src/config/settings.js';
import { createEngine } from '../../src/engine/engine.js';
import { readMountPoints } from '../../src/engine/fs/mounts.js';
import type { RunResult } from '../../src/engine/types.js';
import { openStateStore } from '../../src/store/state-store.js';
import { DAY, makeTempDir, settingsFor, writeFileAt } from '../helpers/temp-root.js';
import { fingerprint, tryMount } from './helpers.js';

const OLD = Date.now() - 400 * DAY;
const AGGRESSIVE: RunOverrides = { backup_retention: 1, log_age_days: 1, temp_age_hours: 1, categories: ['backups', 'logs', 'temp'] };

async function realRun(settings: Settings): Promise<RunResult> {
  const store = openStateStore(settings);
  try {
    const engine = createEngine({ settings, store, logger: pino({ level: 'silent' }) });
    return await engine.runOnce({ trigger: 'api', dryRun: false, overrides: AGGRESSIVE });
  } finally {
    store.close();
  }
}

function sh(script: string, ...args: string[]): void {
  const r = spawnSync('sh', ['-c', script, 'sh', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sh failed: ${r.stderr}`);
}

describe('hard links', () => {
  // Decision: a hard link inside a category folder is a name in that folder. Removing it
  // removes that name only: the outside name keeps the data (its link count drops by one).
  // (Hard links to the dashboard's database or the service's log are protected by identity.)
  it('removes the inside name of an old file linked from outside; the outside file keeps its data', async () => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    const precious = writeFileAt(outside, 'precious.db', OLD, 'outside data');
    mkdirSync(path.join(root, 'tmp'));
    linkSync(precious, path.join(root, 'tmp/linked.tmp'));
    mkdirSync(path.join(root, 'logs'));
    linkSync(precious, path.join(root, 'logs/linked.log'));
    expect(lstatSync(precious).nlink).toBe(3);
    const r = await realRun(settingsFor(root));
    expect(r.items.map((i) => i.target).sort()).toEqual(['logs/linked.log', 'tmp/linked.tmp']);
    expect(readFileSync(precious, 'utf8')).toBe('outside data');
    expect(lstatSync(precious).nlink).toBe(1);
  });
});

describe('a temp folder on another filesystem', () => {
  // Decision: the category folder is what the operator configured, whatever it is mounted
  // from (a tmpfs at tmp/ is common); SPEC 3.5's "never crosses into another filesystem" is
  // about recursion below it. So it is walked; mounts below it are still never entered, and
  // the folder itself (a mount point) is never removed.
  it('walks tmp/ when tmp/ itself is a tmpfs, never enters a mount below it, never removes it', async (t) => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileAt(outside, 'old.tmp', OLD, 'precious');
    const before = fingerprint(outside);
    mkdirSync(path.join(root, 'tmp'));
    if (!tryMount(['-t', 'tmpfs', 'cw-test'], path.join(root, 'tmp'))) return t.skip(); // needs root (CAP_SYS_ADMIN)
    writeFileAt(root, 'tmp/a/old.tmp', OLD);
    writeFileAt(root, 'tmp/new.tmp', Date.now());
    mkdirSync(path.join(root, 'tmp/bind'));
    expect(tryMount(['--bind', outside], path.join(root, 'tmp/bind'))).toBe(true);
    const r = await realRun(settingsFor(root));
    expect(r.items.map((i) => `${i.action} ${i.target}`).sort()).toEqual(['delete tmp/a/old.tmp', 'rmdir tmp/a']);
    expect(r.errors).toEqual([]);
    expect(fingerprint(outside)).toEqual(before);
    expect(lstatSync(path.join(root, 'tmp/new.tmp')).isFile()).toBe(true);
  });
});

describe('a bind mount whose name is not UTF-8', () => {
  it('is read from mountinfo with the bytes of its name', async () => {
    const file = path.join(makeTempDir(), 'mountinfo');
    writeFileSync(file, Buffer.concat([Buffer.from('90 27 254:1 /srv /root/tmp/b'), Buffer.from([0xff]), Buffer.from('\\040x rw - ext4 /dev/vda rw\n')]));
    expect(await readMountPoints(file)).toEqual(['/root/tmp/b\uDCFF x']);
  });

  it('is never entered: the outside folder it shows stays unchanged', async (t) => {
    const root = makeTempDir();
    const outside = makeTempDir('cw-outside-');
    writeFileAt(outside, 'old.tmp', OLD, 'precious');
    writeFileAt(outside, 'deep/x.log', OLD, 'precious');
    const before = fingerprint(outside);
    const tmp = path.join(root, 'tmp');
    mkdirSync(tmp);
    const target = `"$(printf '%s/b\\377' "$1")"`;
    sh(`mkdir ${target}`, tmp);
    if (spawnSync('sh', ['-c', `mount --bind "$2" ${target}`, 'sh', tmp, outside]).status !== 0) return t.skip(); // needs root
    try {
      writeFileAt(root, 'tmp/own.tmp', OLD);
      const r = await realRun(settingsFor(root));
      expect(r.items.map((i) => i.target)).toEqual(['tmp/own.tmp']);
      expect(fingerprint(outside)).toEqual(before);
    } finally {
      spawnSync('sh', ['-c', `umount -l ${target}`, 'sh', tmp]);
    }
  });
});

describe('long names and paths', () => {
  it('removes old files whose names are 255 bytes long (ASCII, UTF-8, and bytes that are not UTF-8)', async () => {
    const root = makeTempDir();
    const logs = path.join(root, 'logs');
    mkdirSync(logs);
    const ascii = `${'a'.repeat(251)}.log`;
    const utf8 = `b${'é'.repeat(125)}.log`;
    const bytes = Buffer.concat([Buffer.alloc(251, 0xff), Buffer.from('.log')]);
    for (const name of [Buffer.from(ascii), Buffer.from(utf8), bytes]) {
      expect(name.length).toBe(255);
      const p = Buffer.concat([Buffer.from(`${logs}/`), name]);
      writeFileSync(p, 'x');
      utimesSync(p, OLD / 1000, OLD / 1000);
    }
    const r = await realRun(settingsFor(root));
    expect(r.errors).toEqual([]);
    expect(r.items.map((i) => i.target).sort()).toEqual([`logs/${ascii}`, `logs/${utf8}`, `logs/${'\\xff'.repeat(251)}.log`].sort());
    expect(fingerprint(logs)).toEqual([]);
  });

  it('keeps, with a warning, a file whose path is longer than PATH_MAX, and cleans the rest', async () => {
    const root = makeTempDir();
    mkdirSync(path.join(root, 'tmp'));
    writeFileAt(root, 'tmp/shallow.tmp', OLD);
    // 24 levels of 200-byte names, past 4096 bytes: built as two halves, one moved into the other.
    const level = (i: number) => String(i).padStart(200, '0');
    const half = (top: string, from: number) => path.join(top, ...Array.from({ length: 12 }, (_, i) => level(from + i)));
    const upper = half(path.join(root, 'tmp'), 1);
    const lower = half(path.join(root, 'staging'), 13);
    mkdirSync(upper, { recursive: true });
    writeFileAt(lower, 'deep.tmp', OLD);
    renameSync(path.join(root, 'staging', level(13)), path.join(upper, level(13)));
    try {
      const r = await realRun(settingsFor(root));
      expect(r.items.map((i) => i.target)).toEqual(['tmp/shallow.tmp']);
      expect(r.errors).toEqual([]);
      expect(r.warnings.some((w) => /could not be read .*ENAMETOOLONG/.test(w))).toBe(true);
      const left = spawnSync('find', ['.', '-name', 'deep.tmp'], { cwd: path.join(root, 'tmp'), encoding: 'utf8' }).stdout;
      expect(left.trim()).toMatch(/deep\.tmp$/);
    } finally {
      sh('rm -rf "$1"', path.join(root, 'tmp'));
    }
  });
});
