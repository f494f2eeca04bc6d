import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { hashStream } from '../../src/targets/digest.js';
import { createLocalTarget } from '../../src/targets/local.js';
import type { ObjectMeta } from '../../src/targets/types.js';
import { sha256 } from '../helpers/archive-fixtures.js';
import { makeTempDir } from '../helpers/temp-root.js';

function meta(bytes: Buffer): ObjectMeta {
  return { originalName: 'x.db', originalSize: bytes.length, originalMtimeMs: 1, originalSha256: sha256(bytes), sha256: sha256(bytes), compression: 'none', env: 'prod', runId: 'r' };
}

describe('the local target', () => {
  it('writes an object with its metadata, lists, reads back, verifies and deletes it; never replaces an object', async () => {
    const root = makeTempDir();
    const t = createLocalTarget(root, 'archive/backups');
    const bytes = Buffer.from('one backup');
    expect(await t.put('prod/x.db', Readable.from([bytes]), meta(bytes))).toEqual({ digest: sha256(bytes), size: bytes.length });
    expect(await t.head('prod/x.db')).toMatchObject({ key: 'prod/x.db', size: bytes.length, meta: meta(bytes) });
    expect((await t.list('')).map((o) => o.key)).toEqual(['prod/x.db']);
    expect(await hashStream(await t.get('prod/x.db'))).toEqual({ digest: sha256(bytes), size: bytes.length });
    expect(await t.verify('prod/x.db', sha256(bytes))).toEqual({ ok: true, how: 'read-back' });

    const other = Buffer.from('another');
    await expect(t.put('prod/x.db', Readable.from([other]), meta(other))).rejects.toMatchObject({ kind: 'exists' });
    expect(readFileSync(path.join(root, 'archive/backups/prod/x.db'))).toEqual(bytes);
    expect(readdirSync(path.join(root, 'archive/backups/prod')).sort()).toEqual(['.x.db.cwmeta.json', 'x.db']);

    await t.delete('prod/x.db');
    expect(readdirSync(path.join(root, 'archive/backups/prod'))).toEqual([]);
    expect(await t.head('prod/x.db')).toBeNull();
  });

  it('replaces a metadata file left without its object (a crash between the two); lists no links, dot files or folders', async () => {
    const root = makeTempDir();
    const t = createLocalTarget(root, 'archive/backups');
    mkdirSync(path.join(root, 'archive/backups/prod'), { recursive: true });
    writeFileSync(path.join(root, 'archive/backups/prod/.x.db.cwmeta.json'), '{"stale": true}');
    const bytes = Buffer.from('fresh');
    await t.put('prod/x.db', Readable.from([bytes]), meta(bytes));
    expect((await t.head('prod/x.db'))?.meta).toEqual(meta(bytes));

    const outside = makeTempDir('cw-outside-');
    writeFileSync(path.join(outside, 'secret.db'), 'outside');
    symlinkSync(path.join(outside, 'secret.db'), path.join(root, 'archive/backups/prod/link.db'));
    symlinkSync(outside, path.join(root, 'archive/backups/linked-env'));
    writeFileSync(path.join(root, 'archive/backups/prod/.tmp.partial'), '');
    expect((await t.list('')).map((o) => o.key)).toEqual(['prod/x.db']);
    await expect(t.get('prod/link.db')).rejects.toThrow(/symbolic link/);
    await expect(t.delete('prod/link.db')).rejects.toThrow(/symbolic link/);
    await expect(t.put('linked-env/y.db', Readable.from([bytes]), meta(bytes))).rejects.toThrow(/symbolic link/);
    expect(readdirSync(outside)).toEqual(['secret.db']);
    expect(existsSync(path.join(root, 'archive/backups/prod/link.db'))).toBe(true);
  });

  it('refuses keys that could leave its folder', async () => {
    const t = createLocalTarget(makeTempDir(), 'archive/backups');
    for (const key of ['../x', 'prod/../../x', '/abs', 'prod/.hidden', 'prod//x', '']) {
      await expect(t.head(key), key).rejects.toThrow(/invalid archive key/);
    }
  });
});
