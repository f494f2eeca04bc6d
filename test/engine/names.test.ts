/**
 * Names that are not UTF-8 (issue 10 item 7): Linux allows any byte but `/` and NUL in a name.
 * Every such file is planned and removed like any other, reported escaped (`\xff`), ranked with
 * its environment's backups, and never confused with a file whose real name is the U+FFFD text
 * Node would have decoded it to.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backupsHandler } from '../../src/engine/categories/backups.js';
import { logsHandler } from '../../src/engine/categories/logs.js';
import { tempHandler } from '../../src/engine/categories/temp.js';
import { decodeName, displayPath, encodeName, isPlainName, toFsPath } from '../../src/engine/fs/byte-names.js';
import { type WalkRecord, walkTree } from '../../src/engine/fs/walker.js';
import { runHandler, targets, writeConfig } from '../helpers/fs-fixtures.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

const OLD = NOW - 90 * DAY;

/** `dir/<bytes>` as a Buffer path. */
function bytePath(dir: string | Buffer, ...name: Array<string | number[]>): Buffer {
  const parts = name.map((n) => (typeof n === 'string' ? Buffer.from(n) : Buffer.from(n)));
  return Buffer.concat([Buffer.from(dir), Buffer.from('/'), ...parts]);
}

/** Writes a file at a Buffer path with the given mtime. */
function writeBytes(p: Buffer, mtimeMs: number, content = 'x'): Buffer {
  writeFileSync(p, content);
  utimesSync(p, mtimeMs / 1000, mtimeMs / 1000);
  return p;
}

/** Names in `dir`, latin1 so every byte shows. */
function namesIn(dir: string | Buffer): string[] {
  return readdirSync(dir, { encoding: 'buffer' })
    .map((n) => n.toString('latin1'))
    .sort();
}

describe('byte names', () => {
  it('map any bytes to a string and back exactly; plain UTF-8 names stay as they are', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(encodeName(decodeName(bytes)).equals(Buffer.from(bytes))).toBe(true);
      }),
      { seed: 20260207, numRuns: 2000 },
    );
    for (const s of ['plain.log', 'é漢字💀.db', '\uFFFD\uFFFD.log', 'a\nb', '']) {
      expect(decodeName(Buffer.from(s))).toBe(s);
      expect(isPlainName(s)).toBe(true);
      expect(toFsPath(s)).toBe(s);
    }
  });

  it('shows each byte that is not UTF-8 as \\xNN, and only those', () => {
    const name = decodeName(Buffer.from([0xff, 0xfe, 0x2e, 0x6c, 0x6f, 0x67]));
    expect(isPlainName(name)).toBe(false);
    expect(displayPath(`logs/${name}`)).toBe('logs/\\xff\\xfe.log');
    // An overlong '/', a surrogate encoded in UTF-8, a truncated sequence: each byte escaped.
    expect(displayPath(decodeName(Buffer.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82])))).toBe('\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82');
    // A character whose UTF-16 low half lies in the escape range is a real character.
    expect(displayPath(decodeName(Buffer.from('💀\uFFFD')))).toBe('💀\uFFFD');
  });
});

describe('the walker and names that are not UTF-8', () => {
  it('reports them with paths that lead back to the very files, next to a real U+FFFD name', async () => {
    const dir = makeTempDir();
    const bad = writeBytes(bytePath(dir, [0xff, 0xfe], '.log'), OLD);
    writeFileAt(dir, '\uFFFD\uFFFD.log', OLD);
    const badDir = bytePath(dir, [0xc3, 0x28]);
    mkdirSync(badDir);
    const inner = writeBytes(bytePath(badDir, 'old.tmp'), OLD);
    mkdirSync(bytePath(badDir, 'sub'));
    writeBytes(bytePath(bytePath(badDir, 'sub'), [0x80]), OLD);
    const records: WalkRecord[] = [];
    for await (const chunk of walkTree(dir, { threads: 2, chunkSize: 1 })) records.push(...chunk);
    const files = records.filter((r) => r.kind === 'file');
    expect(files.map((r) => displayPath(r.rel)).sort()).toEqual(['\\xc3(/old.tmp', '\\xc3(/sub/\\x80', '\\xff\\xfe.log', '\uFFFD\uFFFD.log'].sort());
    for (const r of records) {
      if (r.kind === 'problem') continue;
      expect(r.raw === true, r.rel).toBe(!isPlainName(r.rel));
      const st = lstatSync(toFsPath(`${dir}/${r.rel}`));
      expect([st.dev, st.ino], displayPath(r.rel)).toEqual([r.dev, r.ino]);
    }
    expect(files.find((r) => r.rel === decodeName(bytePath('', [0xff, 0xfe], '.log').subarray(1)))?.ino).toBe(lstatSync(bad).ino);
    expect(files.find((r) => r.rel.endsWith('old.tmp'))?.ino).toBe(lstatSync(inner).ino);
  });
});

describe('file categories and names that are not UTF-8', () => {
  it('logs: deletes an old one, reports it escaped, and keeps the recent U+FFFD look-alike', async () => {
    const root = makeTempDir();
    const logs = path.join(root, 'logs');
    mkdirSync(logs);
    writeBytes(bytePath(logs, [0xff, 0xfe], '.log'), OLD);
    writeFileAt(root, 'logs/\uFFFD\uFFFD.log', NOW, 'recent look-alike');
    writeFileAt(root, 'logs/plain.log', OLD);
    const r = await runHandler(logsHandler, settingsFor(root));
    expect(r.errors).toEqual([]);
    expect(targets(r.items)).toEqual(['logs/\\xff\\xfe.log', 'logs/plain.log']);
    expect(namesIn(logs)).toEqual([Buffer.from('\uFFFD\uFFFD.log').toString('latin1')]);
  });

  it('logs: an old U+FFFD look-alike goes once, as itself; the recent byte name it looks like stays', async () => {
    const root = makeTempDir();
    const logs = path.join(root, 'logs');
    mkdirSync(logs);
    const raw = writeBytes(bytePath(logs, [0xff, 0xfe], '.log'), NOW, 'recent');
    writeFileAt(root, 'logs/\uFFFD\uFFFD.log', OLD, 'old look-alike');
    const r = await runHandler(logsHandler, settingsFor(root));
    expect(r.items.map((i) => i.target)).toEqual(['logs/\uFFFD\uFFFD.log']);
    expect(r.skipped).toEqual([]);
    expect(r.errors).toEqual([]);
    expect(readdirSync(logs, { encoding: 'buffer' })).toEqual([raw.subarray(logs.length + 1)]);
  });

  it('temp: deletes the files of a folder named with stray bytes, then prunes the folder', async () => {
    const root = makeTempDir();
    const tmp = path.join(root, 'tmp');
    mkdirSync(tmp);
    const badDir = bytePath(tmp, [0xc3, 0x28]);
    mkdirSync(badDir);
    writeBytes(bytePath(badDir, 'old.tmp'), OLD);
    writeBytes(bytePath(badDir, [0xe9], '.bin'), OLD);
    const dry = await runHandler(tempHandler, settingsFor(root), { dryRun: true });
    const r = await runHandler(tempHandler, settingsFor(root));
    const expected = ['tmp/\\xc3(', 'tmp/\\xc3(/\\xe9.bin', 'tmp/\\xc3(/old.tmp'];
    expect(targets(dry.items)).toEqual(expected);
    expect(targets(r.items)).toEqual(expected);
    expect(r.items.find((i) => i.target === 'tmp/\\xc3(')?.action).toBe('rmdir');
    expect(r.errors).toEqual([]);
    expect(namesIn(tmp)).toEqual([]);
  });

  it('temp: a folder spelled with a literal \\xff and one named with the byte are two folders', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'tmp/\\xff/old.tmp', OLD);
    writeFileAt(root, 'tmp/\\xff/new.tmp', NOW);
    const byteDir = bytePath(path.join(root, 'tmp'), [0xff]);
    mkdirSync(byteDir);
    writeBytes(bytePath(byteDir, 'old.tmp'), OLD);
    const r = await runHandler(tempHandler, settingsFor(root));
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
    // Both old files go, and only the byte-named folder is left empty and pruned.
    expect(r.items.map((i) => `${i.action} ${i.target}`).sort()).toEqual(['delete tmp/\\xff/old.tmp', 'delete tmp/\\xff/old.tmp', 'rmdir tmp/\\xff']);
    expect(existsSync(path.join(root, 'tmp/\\xff/new.tmp'))).toBe(true);
    expect(existsSync(byteDir)).toBe(false);
  });

  it('backups: a newest backup named with stray bytes is ranked, and kept', async () => {
    const root = makeTempDir();
    const prod = path.join(root, 'backups/prod');
    mkdirSync(prod, { recursive: true });
    writeBytes(bytePath(prod, 'architect_20260201_000000', [0xff], '.db'), OLD);
    writeFileAt(root, 'backups/prod/architect_20260101_000000.db', OLD);
    writeFileAt(root, 'backups/prod/architect_20251201_000000.db', OLD);
    const r = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: 1 } });
    expect(r.errors).toEqual([]);
    expect(targets(r.items)).toEqual(['backups/prod/architect_20251201_000000.db', 'backups/prod/architect_20260101_000000.db']);
    expect(namesIn(prod)).toEqual([Buffer.from([...Buffer.from('architect_20260201_000000'), 0xff, ...Buffer.from('.db')]).toString('latin1')]);
  });

  it('backups: an environment folder named with stray bytes is an environment, shown escaped', async () => {
    const root = makeTempDir();
    const env = bytePath(path.join(root, 'backups'), 'qa', [0xff]);
    mkdirSync(env, { recursive: true });
    for (let d = 1; d <= 3; d++) writeBytes(bytePath(env, `b_2026010${d}_000000.db`), OLD);
    const r = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: 2 } });
    expect(r.items).toEqual([
      { category: 'backups', target: 'backups/qa\\xff/b_20260101_000000.db', bytes: 1, action: 'delete', reason: 'older than the 2 most recent qa\\xff backups' },
    ]);
  });

  it('a protect glob sees the escaped name', async () => {
    const root = makeTempDir();
    const logs = path.join(root, 'logs');
    mkdirSync(logs);
    writeBytes(bytePath(logs, 'keep-', [0xff], '.log'), OLD);
    const config = writeConfig({ protect: ['logs/keep-*'] });
    const r = await runHandler(logsHandler, settingsFor(root, {}, config));
    expect(r.items).toEqual([]);
    expect(r.skipped).toEqual([{ category: 'logs', target: 'logs/keep-\\xff.log', reason: 'protected by glob "logs/keep-*"' }]);
    expect(namesIn(logs)).toHaveLength(1);
  });
});
