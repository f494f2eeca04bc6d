/**
 * The streamed plan of the file categories (logs, temp): folders bigger than several walker
 * chunks are planned and carried out a chunk at a time. What a dry run lists must still be
 * exactly what GNU find selects and what the real run then removes; ctx.beforeExecute is
 * awaited once per category, before anything is deleted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { logsHandler } from '../../src/engine/categories/logs.js';
import { tempHandler } from '../../src/engine/categories/temp.js';
import { walkBound } from '../../src/engine/fs/collect.js';
import { type WalkRecord, walkTree } from '../../src/engine/fs/walker.js';
import { cutoffFor, decideFile } from '../../src/engine/planner.js';
import type { FileCandidate, Policy } from '../../src/engine/types.js';
import { byTarget, runHandler, snapshotTree, targets } from '../helpers/fs-fixtures.js';
import { DAY, HOUR, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

/** Writes an empty file with an mtime, faster than writeFileAt for thousands (parents must exist). */
function put(abs: string, mtimeMs: number): void {
  writeFileSync(abs, '');
  utimesSync(abs, mtimeMs / 1000, mtimeMs / 1000);
}

/** Files under `rel` (relative to root) GNU find sees as modified strictly before `cutoffMs` (whole-ms mtimes). */
function findOlder(root: string, rel: string, cutoffMs: number, nameArgs: string[] = []): string[] {
  const r = spawnSync('find', [rel, '-type', 'f', ...nameArgs, '!', '-newermt', `@${((cutoffMs - 1) / 1000).toFixed(3)}`, '-print0'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`find failed: ${r.stderr}`);
  return r.stdout.split('\0').filter(Boolean).sort();
}

/**
 * A tree of `n` files spread over 12 folders: about half old (strictly past the limit by
 * 1 ms .. many units), the rest new, some exactly at the limit (kept); `other` names too.
 */
function buildTree(root: string, top: string, n: number, limitMs: number, unit: number, name: (i: number) => string): void {
  for (let d = 0; d < 12; d++) mkdirSync(path.join(root, top, `d${d}`, 'sub'), { recursive: true });
  for (let i = 0; i < n; i++) {
    const dir = `d${i % 12}${i % 5 === 0 ? '/sub' : ''}`;
    const kind = i % 7;
    const age = kind === 0 ? limitMs : kind === 1 ? limitMs + 1 : kind < 4 ? limitMs + (i % 50) * unit + 1000 : (i % 20) * (unit / 2);
    put(path.join(root, top, dir, name(i)), NOW - age);
  }
}

describe('streamed plan: logs over several walker chunks', () => {
  const LIMIT = 30 * DAY;
  const name = (i: number) => (i % 9 === 0 ? `f${i}.txt` : i % 4 === 0 ? `f${i}.log.1.gz` : `f${i}.log`);

  it('the dry run lists exactly what find selects, and the real run removes exactly that', async () => {
    const root = makeTempDir();
    buildTree(root, 'logs', 3500, LIMIT, DAY, name);
    const expected = findOlder(root, 'logs', NOW - LIMIT, ['(', '-name', '*.log', '-o', '-name', '*.log.1.gz', ')']);
    expect(expected.length).toBeGreaterThan(1100); // more than one chunk of removable files
    const before = snapshotTree(root);
    const dry = await runHandler(logsHandler, settingsFor(root), { dryRun: true });
    expect(snapshotTree(root)).toEqual(before);
    expect(targets(dry.items)).toEqual(expected);
    expect(dry.skipped).toEqual([]);
    let calls = 0;
    const real = await runHandler(logsHandler, settingsFor(root), {
      beforeExecute: () => {
        calls++;
        expect(snapshotTree(root)).toEqual(before); // nothing deleted yet
      },
    });
    expect(calls).toBe(1);
    // Same items and reasons; two walker threads share the tree, so the order may differ.
    expect(byTarget(real.items)).toEqual(byTarget(dry.items));
    expect(real.errors).toEqual([]);
    const left = spawnSync('find', ['logs', '-type', 'f'], { cwd: root, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).sort();
    const all = before.filter((l) => l.includes(' file ')).map((l) => l.split(' ')[0] as string);
    expect(left).toEqual(all.filter((f) => !expected.includes(f)).sort());
  });

  it('a file exactly at the limit is kept, one a millisecond older is removed', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'logs/edge.log', NOW - LIMIT);
    writeFileAt(root, 'logs/over.log', NOW - LIMIT - 1);
    const out = await runHandler(logsHandler, settingsFor(root), { dryRun: true });
    expect(out.items.map((i) => [i.target, i.reason])).toEqual([['logs/over.log', 'modified just over 30 days ago, limit 30 days']]);
  });
});

describe('streamed plan: temp over several walker chunks', () => {
  const LIMIT = 24 * HOUR;

  it('dry run = find = real run, and the folders left empty are pruned after every file', async () => {
    const root = makeTempDir();
    buildTree(root, 'tmp', 3000, LIMIT, HOUR, (i) => `t${i}`);
    buildTree(root, 'cache', 1200, LIMIT, HOUR, (i) => `c${i}.json`);
    // Folders whose files are all old: emptied, hence removed (and a parent emptied by that).
    for (let i = 0; i < 1500; i++) writeFileAt(root, `tmp/gone/g${i % 3}/old${i}`, NOW - 2 * LIMIT);
    const expected = [...findOlder(root, 'tmp', NOW - LIMIT), ...findOlder(root, 'cache', NOW - LIMIT)].sort();
    const before = snapshotTree(root);
    const dry = await runHandler(tempHandler, settingsFor(root), { dryRun: true });
    expect(snapshotTree(root)).toEqual(before);
    expect(targets(dry.items.filter((i) => i.action === 'delete'))).toEqual(expected);
    expect(targets(dry.items.filter((i) => i.action === 'rmdir'))).toEqual(['tmp/gone', 'tmp/gone/g0', 'tmp/gone/g1', 'tmp/gone/g2']);
    // A folder's emptied sub-folders are pruned after all of its files.
    const inTmp = dry.items.filter((i) => i.target.startsWith('tmp/'));
    const firstRmdir = inTmp.findIndex((i) => i.action === 'rmdir');
    expect(inTmp.slice(firstRmdir).every((i) => i.action === 'rmdir')).toBe(true);
    let calls = 0;
    const real = await runHandler(tempHandler, settingsFor(root), {
      beforeExecute: (category) => {
        calls++;
        expect(category).toBe('temp');
        expect(snapshotTree(root)).toEqual(before);
      },
    });
    expect(calls).toBe(1); // once for the category, not once per folder
    expect(byTarget(real.items)).toEqual(byTarget(dry.items));
    for (const t of expected) expect(existsSync(path.join(root, t))).toBe(false);
    expect(existsSync(path.join(root, 'tmp/gone'))).toBe(false);
    expect(existsSync(path.join(root, 'tmp/d0/sub'))).toBe(true);
  });

  it('an abort between chunks stops the deletions and prunes nothing', async () => {
    const root = makeTempDir();
    for (let i = 0; i < 3000; i++) writeFileAt(root, `tmp/a/old${i}`, NOW - 2 * LIMIT);
    const ac = new AbortController();
    const settings = settingsFor(root);
    const out = await runHandler(tempHandler, settings, { signal: ac.signal, beforeExecute: () => void setTimeout(() => ac.abort(), 0) });
    expect(out.items.length).toBeLessThan(3000);
    expect(out.items.every((i) => i.action === 'delete')).toBe(true);
    expect(existsSync(path.join(root, 'tmp/a'))).toBe(true);
    for (const i of out.items) expect(existsSync(path.join(root, i.target))).toBe(false);
  });
});

describe('walker pre-filters', () => {
  async function walkAll(dir: string, opts: Parameters<typeof walkTree>[1]): Promise<WalkRecord[]> {
    const all: WalkRecord[] = [];
    for await (const chunk of walkTree(dir, opts)) all.push(...chunk);
    return all;
  }

  it('posts only files modified before filesOlderThan and matching fileName; folders are still entered', async () => {
    const dir = makeTempDir();
    writeFileAt(dir, 'a.log', NOW - 10);
    writeFileAt(dir, 'edge.log', NOW);
    writeFileAt(dir, 'new.log', NOW + 10);
    writeFileAt(dir, 'old.txt', NOW - 10);
    writeFileAt(dir, 'x/y/deep.log', NOW - 10);
    const all = await walkAll(dir, { filesOlderThan: NOW, fileName: /\.log$/ });
    const files = all.filter((r) => r.kind === 'file').map((r) => r.rel).sort();
    expect(files).toEqual(['a.log', 'x/y/deep.log']);
    expect(all.filter((r) => r.kind === 'dir').map((r) => r.rel).sort()).toEqual(['x', 'x/y']);
    const noDirs = await walkAll(dir, { fileName: /\.log$/, dirs: false });
    expect(noDirs.every((r) => r.kind === 'file')).toBe(true);
    expect(noDirs.map((r) => r.rel).sort()).toEqual(['a.log', 'edge.log', 'new.log', 'x/y/deep.log']);
  });

  it('the walk bound is never stricter than the planner', () => {
    const policy: Policy = { backupRetention: { default: 5 }, ages: { logs: 30, tasks: 7, errors: 30, prompts: 14, temp: 24 } };
    const bound = walkBound(cutoffFor('temp', policy, NOW));
    const removed: number[] = [];
    for (const delta of [-2, -1, -0.5, -0.001, 0, 0.001, 0.5, 1, 2]) {
      const mtimeMs = NOW - 24 * HOUR + delta;
      const c: FileCandidate = { kind: 'file', category: 'temp', target: 'tmp/x', path: '/x', dev: 1, ino: 1, size: 0, mtimeMs, timestampMs: mtimeMs, timestampSource: 'mtime' };
      if (decideFile(c, policy, NOW).action !== 'keep') removed.push(delta);
    }
    // The deltas straddle the cutoff: the planner removes the older ones and keeps the rest,
    // and the walk posts every file the planner would remove.
    expect(removed).toEqual([-2, -1, -0.5, -0.001]);
    for (const delta of removed) expect(NOW - 24 * HOUR + delta, `delta ${delta}`).toBeLessThan(bound);
  });
});
