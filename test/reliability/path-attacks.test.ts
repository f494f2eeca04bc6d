/**
 * Path attacks (SPEC 3 rule 5 and 6): symbolic links to an outside sentinel at every level of
 * every category, hostile names, `..` and absolute config paths, category folders that are
 * links, files swapped between planning and deletion, and mounts inside temp folders. After
 * every attack with the most aggressive policy (keep 1 backup, 1 day, 1 hour), the sentinel is
 * byte-for-byte unchanged and every link is still there.
 */
import { linkSync, lstatSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { RunOverrides } from '../../src/config/schema.js';
import { ConfigError, loadSettings, type Settings } from '../../src/config/settings.js';
import { createEngine, type RunOnceOptions } from '../../src/engine/engine.js';
import type { RunResult } from '../../src/engine/types.js';
import { openStateStore } from '../../src/store/state-store.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { DAY, makeTempDir, settingsFor, writeFileAt } from '../helpers/temp-root.js';
import { settingsPastLoader } from '../helpers/unchecked-paths.js';
import { fingerprint, tryMount } from './helpers.js';

const OLD = Date.now() - 400 * DAY;
const AGGRESSIVE: RunOverrides = { backup_retention: 1, log_age_days: 1, task_age_days: 1, error_age_days: 1, prompt_age_days: 1, temp_age_hours: 1 };

/** An outside folder full of old files every category would take, and its fingerprint. */
function makeSentinel() {
  const dir = makeTempDir('cw-outside-');
  for (const rel of ['old.log', 'old.log.1', 'old.tmp', 'deep/er/x.log', 'prod/architect_20200101_000000.db', 'prod/architect_20200102_000000.db', 'architect_20200103_000000.db']) {
    writeFileAt(dir, rel, OLD, `precious ${rel}`);
  }
  return { dir, before: fingerprint(dir) };
}

async function runEngine(settings: Settings, opts: Partial<RunOnceOptions> = {}): Promise<RunResult> {
  const store = openStateStore(settings);
  try {
    const engine = createEngine({ settings, store, logger: pino({ level: 'silent' }) });
    return await engine.runOnce({ trigger: 'api', dryRun: false, overrides: AGGRESSIVE, ...opts });
  } finally {
    store.close();
  }
}

describe('symbolic links at every level of every category', () => {
  it('follows and removes none of them, and leaves the outside sentinel byte-for-byte unchanged', async () => {
    const root = makeTempDir();
    const out = makeSentinel();
    const o = (rel: string) => path.join(out.dir, rel);
    // Real old files so every category has work, next to the links.
    for (let i = 0; i < 4; i++) writeFileAt(root, `backups/prod/architect_2020010${i + 1}_000000.db`, OLD, `b${i}`);
    writeFileAt(root, 'backups/architect_20200101_000000.db', OLD, 'default env');
    writeFileAt(root, 'logs/a/b/c/real.log', OLD);
    writeFileAt(root, 'tmp/x/y/real.tmp', OLD);
    writeFileAt(root, 'cache/p/q/real.bin', OLD);
    const links: [string, string][] = [
      ['backups/linked.db', o('architect_20200103_000000.db')],
      ['backups/linkenv', o('prod')],
      ['backups/prod/architect_20190101_000000.db', o('prod/architect_20200101_000000.db')],
      ['logs/link.log', o('old.log')],
      ['logs/linkdir', out.dir],
      ['logs/a/link.log.1', o('old.log.1')],
      ['logs/a/b/c/link.log', o('old.log')],
      ['logs/a/b/linkdir', o('deep')],
      ['tmp/link', out.dir],
      ['tmp/x/link.tmp', o('old.tmp')],
      ['tmp/x/y/linkdir', o('deep/er')],
      ['cache/link', out.dir],
      ['cache/p/q/link.bin', o('old.tmp')],
      ['cache/p/rootlink', '/'],
      ['tmp/dangling', o('does-not-exist')],
    ];
    for (const [rel, target] of links) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      symlinkSync(target, path.join(root, rel));
    }
    const r = await runEngine(settingsFor(root));
    expect(fingerprint(out.dir)).toEqual(out.before);
    for (const [rel] of links) expect(lstatSync(path.join(root, rel)).isSymbolicLink(), rel).toBe(true);
    const targets = r.items.map((i) => i.target);
    for (const [rel] of links) expect(targets.some((t) => t === rel || t.startsWith(`${rel}/`)), rel).toBe(false);
    expect(targets).toEqual(expect.arrayContaining(['logs/a/b/c/real.log', 'tmp/x/y/real.tmp', 'cache/p/q/real.bin']));
    expect(r.errors).toEqual([]);
  });

  it.each(['backups', 'backups/prod', 'logs', 'tmp', 'cache'])('refuses a category folder %s that is itself a link to the sentinel', async (folder) => {
    const root = makeTempDir();
    const out = makeSentinel();
    mkdirSync(path.dirname(path.join(root, folder)), { recursive: true });
    symlinkSync(folder === 'backups/prod' ? path.join(out.dir, 'prod') : out.dir, path.join(root, folder));
    if (folder !== 'backups') writeFileAt(root, 'backups/qa/architect_20200101_000000.db', OLD);
    const r = await runEngine(settingsFor(root));
    expect(fingerprint(out.dir)).toEqual(out.before);
    expect(lstatSync(path.join(root, folder)).isSymbolicLink()).toBe(true);
    expect(r.items.filter((i) => i.target.startsWith(`${folder}/`))).toEqual([]);
  });
});

describe('hostile names inside the root', () => {
  // Regression: a log whose name holds a newline was never recognised as a log (`.` without the `s` flag).
  it('handles newlines, spaces, leading dashes and non-UTF-8 bytes without touching anything outside', async () => {
    const root = makeTempDir();
    const out = makeSentinel();
    const names = ['with\nnewline.log', 'with space.log', '-rf.log', '--force.log', ' leading.log', '\n.log'];
    for (const n of names) writeFileAt(root, `logs/${n}`, OLD);
    // Not log names (they do not end in .log): kept.
    const notLogs = ['x.log\r', 'x.log\n', '-'];
    for (const n of notLogs) writeFileAt(root, `logs/${n}`, OLD);
    writeFileAt(root, 'tmp/-rf/--no-preserve-root', OLD);
    writeFileAt(root, 'tmp/a b/c\nd', OLD);
    // Names that are not valid UTF-8 (Linux allows any byte but '/' and NUL).
    const bad = Buffer.concat([Buffer.from(path.join(root, 'logs')), Buffer.from('/'), Buffer.from([0xff, 0xfe]), Buffer.from('.log')]);
    writeFileSync(bad, 'not utf-8');
    const badDir = Buffer.concat([Buffer.from(path.join(root, 'tmp')), Buffer.from('/'), Buffer.from([0xc3, 0x28])]);
    mkdirSync(badDir);
    writeFileSync(Buffer.concat([badDir, Buffer.from('/old.tmp')]), 'x');
    // A real file whose UTF-8 name is what the bad name decodes to: the two must not be confused.
    writeFileAt(root, 'logs/\uFFFD\uFFFD.log', Date.now(), 'recent, must stay');
    const r = await runEngine(settingsFor(root));
    expect(fingerprint(out.dir)).toEqual(out.before);
    expect(r.errors).toEqual([]);
    const targets = r.items.map((i) => i.target);
    for (const n of names) expect(targets, JSON.stringify(n)).toContain(`logs/${n}`);
    for (const n of notLogs) expect(targets, JSON.stringify(n)).not.toContain(`logs/${n}`);
    expect(targets).toEqual(expect.arrayContaining(['tmp/-rf/--no-preserve-root', 'tmp/a b/c\nd']));
    // The recent look-alike is never deleted in place of the undecodable name, and the names
    // that are not UTF-8 are kept (Node's string paths cannot address them): never a wrong file.
    expect(readdirSync(path.join(root, 'logs'))).toContain('\uFFFD\uFFFD.log');
    const left = fingerprint(root).join('\n');
    expect(left).toContain(`"logs/${Buffer.from([0xff, 0xfe]).toString('latin1')}.log"`);
    expect(left).toContain(`"tmp/${Buffer.from([0xc3, 0x28]).toString('latin1')}/old.tmp"`);
  });
});

describe('config paths that try to leave the root', () => {
  it.each([
    [{ logs: '../outside' }, 'paths.logs'],
    [{ logs: '/etc' }, 'paths.logs'],
    [{ backups: 'backups/../../x' }, 'paths.backups'],
    [{ backups: '..' }, 'paths.backups'],
    [{ database: '../../architect.db' }, 'paths.database'],
    [{ archive: '/tmp/archive' }, 'paths.archive'],
    [{ state: '../state' }, 'paths.state'],
    [{ log_file: '../../cleanup.log' }, 'paths.log_file'],
    [{ temp: ['tmp', '../../etc'] }, 'paths.temp[1]'],
    [{ logs: 'logs\\..\\..\\x' }, 'paths.logs'],
    [{ logs: '.' }, 'paths.logs'],
    [{ sessions: 'a/./../..' }, 'paths.sessions'],
  ])('refuses %j naming %s', (paths, field) => {
    const root = makeTempDir();
    const file = writeConfig({ paths });
    expect(() => loadSettings({ env: {}, root, configFile: file })).toThrow(ConfigError);
    expect(() => loadSettings({ env: {}, root, configFile: file })).toThrow(field);
  });

  it('refuses a configured folder that reaches outside through a linked parent', async () => {
    const root = makeTempDir();
    const out = makeSentinel();
    symlinkSync(out.dir, path.join(root, 'elsewhere'));
    // Overlapping on purpose: the loader refuses that (SPEC 3.12), the run-time checks must hold anyway.
    const r = await runEngine(settingsPastLoader(root, { logs: 'elsewhere', temp: ['elsewhere/deep', 'tmp'], backups: 'elsewhere' }));
    expect(fingerprint(out.dir)).toEqual(out.before);
    expect(r.items).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/resolves outside the root|symbolic link/);
  });
});

describe('the world changes between planning and deletion', () => {
  type Swap = (root: string, outside: string) => void;
  const swaps: [string, string, Swap][] = [
    ['a log swapped for a link to an outside file', 'logs/a/old.log', (root, o) => {
      rmSync(path.join(root, 'logs/a/old.log'));
      symlinkSync(path.join(o, 'old.log'), path.join(root, 'logs/a/old.log'));
    }],
    ['a log swapped for a hard link to an outside file', 'logs/a/old.log', (root, o) => {
      rmSync(path.join(root, 'logs/a/old.log'));
      linkSync(path.join(o, 'old.log'), path.join(root, 'logs/a/old.log'));
    }],
    ['a temp file swapped for a folder', 'tmp/t/old.tmp', (root) => {
      rmSync(path.join(root, 'tmp/t/old.tmp'));
      writeFileAt(root, 'tmp/t/old.tmp/inside', OLD);
    }],
    ['the log folder swapped for a link to an outside copy', 'logs/a/old.log', (root, o) => {
      renameSync(path.join(root, 'logs/a'), path.join(root, 'moved-a'));
      symlinkSync(o, path.join(root, 'logs/a'));
    }],
    ['the temp folder swapped for a link to the outside', 'tmp/t/old.tmp', (root, o) => {
      renameSync(path.join(root, 'tmp/t'), path.join(root, 'moved-t'));
      symlinkSync(o, path.join(root, 'tmp/t'));
    }],
    ['a backup environment folder swapped for a link to the outside', 'backups/prod/architect_20200101_000000.db', (root, o) => {
      renameSync(path.join(root, 'backups/prod'), path.join(root, 'moved-prod'));
      symlinkSync(path.join(o, 'prod'), path.join(root, 'backups/prod'));
    }],
    ['the whole backups folder swapped for a link', 'backups/prod/architect_20200101_000000.db', (root, o) => {
      renameSync(path.join(root, 'backups'), path.join(root, 'moved-backups'));
      symlinkSync(o, path.join(root, 'backups'));
    }],
  ];

  it.each(swaps)('%s: kept, nothing outside removed', async (_name, target, swap) => {
    const root = makeTempDir();
    const out = makeSentinel();
    // The outside holds files with the very names the plan holds.
    writeFileAt(out.dir, 'old.tmp', OLD, 'precious old.tmp');
    const before = fingerprint(out.dir);
    writeFileAt(root, 'logs/a/old.log', OLD, 'own');
    writeFileAt(root, 'tmp/t/old.tmp', OLD, 'own');
    for (let i = 1; i <= 3; i++) writeFileAt(root, `backups/prod/architect_2020010${i}_000000.db`, OLD, `own ${i}`);
    let swapped = 0;
    const r = await runEngine(settingsFor(root), {
      beforeExecute: (category) => {
        if (target.startsWith(category === 'temp' ? 'tmp' : category) && swapped++ === 0) swap(root, out.dir);
      },
    });
    expect(swapped).toBe(1);
    expect(fingerprint(out.dir)).toEqual(before);
    expect(r.items.map((i) => i.target)).not.toContain(target);
    expect(r.errors).toEqual([]);
  });
});

describe('mounts inside category folders', () => {
  // Regression: a bind mount shares its parent's device number, so the st_dev rule let the walk
  // into `mount --bind <outside> <root>/tmp/bind` and the temp cleanup emptied the outside folder.
  it('never walks into a tmpfs, nor a bind mount of an outside folder or file, inside tmp/ or logs/', async (t) => {
    const root = makeTempDir();
    const out = makeSentinel();
    writeFileAt(root, 'tmp/own/old.tmp', OLD);
    mkdirSync(path.join(root, 'tmp/tmpfs'), { recursive: true });
    mkdirSync(path.join(root, 'tmp/bind'), { recursive: true });
    mkdirSync(path.join(root, 'logs/bind'), { recursive: true });
    if (!tryMount(['-t', 'tmpfs', 'cw-test'], path.join(root, 'tmp/tmpfs'))) {
      t.skip(); // needs root (CAP_SYS_ADMIN); noted in docs/RELIABILITY.md
      return;
    }
    writeFileAt(root, 'tmp/tmpfs/on-tmpfs.tmp', OLD, 'on another filesystem');
    expect(tryMount(['--bind', out.dir], path.join(root, 'tmp/bind'))).toBe(true);
    expect(tryMount(['--bind', out.dir], path.join(root, 'logs/bind'))).toBe(true);
    writeFileAt(root, 'tmp/filemount.tmp', OLD, 'mount point');
    expect(tryMount(['--bind', path.join(out.dir, 'old.tmp')], path.join(root, 'tmp/filemount.tmp'))).toBe(true);
    const r = await runEngine(settingsFor(root));
    expect(fingerprint(out.dir)).toEqual(out.before);
    expect(fingerprint(path.join(root, 'tmp/tmpfs'))).toHaveLength(1);
    const targets = r.items.map((i) => i.target);
    expect(targets).toContain('tmp/own/old.tmp');
    expect(targets.filter((x) => x.includes('bind') || x.includes('tmpfs') || x.includes('filemount'))).toEqual([]);
    expect(r.errors).toEqual([]);
  });
});
