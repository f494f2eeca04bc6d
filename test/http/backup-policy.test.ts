/**
 * backup_policy over HTTP (issue 12 section 1): bad rules are a 400 naming the field with nothing
 * deleted and no run recorded; a run answers with the capped `kept` list and `kept_total`, and the
 * run history keeps them.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHttpFixture } from '../helpers/http-app.js';
import { DAY, writeFileAt } from '../helpers/temp-root.js';

const CLEANUP = '/api/system/cleanup';

/** `n` daily prod backups, the newest yesterday by the real clock (the API run uses the real clock). */
function prodBackups(root: string, n: number): string[] {
  const newest = Date.now() - DAY;
  return Array.from({ length: n }, (_, i) => {
    const name = `architect_${new Date(newest - i * DAY).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_')}.db`;
    writeFileAt(root, `backups/prod/${name}`, newest - i * DAY, 'b');
    return name;
  });
}

const BAD: [string, object, string][] = [
  ['unknown rule', { backup_policy: { prod: { keep_dayly: 7 } } }, 'body.backup_policy.prod: unknown field "keep_dayly"'],
  ['wrong type', { backup_policy: { prod: { keep_daily: '7' } } }, 'body.backup_policy.prod.keep_daily must be integer'],
  ['keep_last 0', { backup_policy: { prod: { keep_last: 0 } } }, 'body.backup_policy.prod.keep_last must be >= 1'],
  ['negative count', { backup_policy: { default: { keep_weekly: -1 } } }, 'body.backup_policy.default.keep_weekly must be >= 0'],
  ['bad duration', { backup_policy: { prod: { keep_within: '14x' } } }, 'body.backup_policy.prod.keep_within must be a duration: integers with units y, m, w, d, h'],
  ['empty rule set', { backup_policy: { prod: {} } }, 'body.backup_policy.prod must NOT have fewer than 1 properties'],
  ['environment twice', { backup_policy: { prod: { keep_daily: 1 }, Prod: { keep_daily: 2 } } }, 'backup_policy.prod and backup_policy.Prod name the same environment'],
  ['keep_last twice', { backup_retention: { prod: 3 }, backup_policy: { prod: { keep_last: 4 } } }, 'backup_retention.prod and backup_policy.prod.keep_last both set'],
];

describe('POST /api/system/cleanup with backup_policy', () => {
  it.each(BAD)('%s -> 400 naming the field, nothing deleted, no run recorded', async (_name, body, text) => {
    const f = makeHttpFixture();
    const names = prodBackups(f.root, 15);
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { dry_run: false, ...body } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ success: false, error: { code: 'ERR_CLEANUP_BAD_REQUEST', message: expect.stringContaining(text) } });
    for (const n of names) expect(existsSync(path.join(f.root, 'backups/prod', n))).toBe(true);
    expect(f.store.listRuns(10, 0).total).toBe(0);
  });

  it('answers with every kept backup and its reasons, deletes the rest, and the run history keeps the list', async () => {
    const f = makeHttpFixture({ env: { CLEANUP_TZ: 'UTC' } });
    const names = prodBackups(f.root, 40);
    const res = await f.app.inject({
      method: 'POST',
      url: CLEANUP,
      payload: { dry_run: false, categories: ['backups'], backup_retention: { prod: 2 }, backup_policy: { prod: { keep_daily: 3, keep_weekly: 2 } } },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const kept = body.kept as { category: string; target: string; reason: string }[];
    expect(body.kept_total).toBe(kept.length);
    expect(kept[0]).toEqual({ category: 'backups', target: `backups/prod/${names[0]}`, reason: 'kept: last #1, daily #1, weekly #1' });
    expect(kept[1]).toEqual({ category: 'backups', target: `backups/prod/${names[1]}`, reason: expect.stringMatching(/^kept: last #2, daily #2/) });
    expect(kept.map((k) => k.target.slice('backups/prod/'.length)).sort()).toEqual(readdirSync(path.join(f.root, 'backups/prod')).sort());
    expect(body.items_total).toBe(40 - kept.length);
    expect(body.items[0].reason).toBe('removed: not kept by any rule (last 2, daily 3, weekly 2)');
    const detail = await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs/${body.run_id}` });
    expect(detail.json().run.kept).toEqual(kept);
    expect(detail.json().run.kept_total).toBe(kept.length);
    const list = await f.app.inject({ method: 'GET', url: `${CLEANUP}/runs` });
    expect(list.json().runs[0].kept_total).toBe(kept.length);
  });

  it('caps the kept list at 1000 while kept_total counts every kept backup', async () => {
    const f = makeHttpFixture();
    prodBackups(f.root, 1005);
    const res = await f.app.inject({ method: 'POST', url: CLEANUP, payload: { categories: ['backups'], backup_retention: { prod: 1005 } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().kept).toHaveLength(1000);
    expect(res.json().kept_total).toBe(1005);
    expect(res.json().kept[0].reason).toBe('one of the 1005 most recent prod backups');
  });
});
