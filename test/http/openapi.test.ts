/** openapi.yaml is generated from the route schemas; the committed file must match them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOpenApi } from '../../src/http/openapi.js';

describe('openapi.yaml', () => {
  it('is up to date with the route schemas (run `npm run openapi` to refresh it)', async () => {
    const committed = readFileSync(path.resolve(__dirname, '../../openapi.yaml'), 'utf8');
    expect(committed).toBe(await renderOpenApi());
  });

  it('describes every route and status the API answers', async () => {
    const doc = await renderOpenApi();
    for (const route of ['/health:', '/api/system/cleanup:', '/api/system/cleanup/status:', '/api/system/cleanup/runs:', '/api/system/cleanup/runs/{id}:']) {
      expect(doc).toContain(`\n  ${route}\n`);
    }
    for (const status of ['"200"', '"400"', '"401"', '"404"', '"409"', '"413"', '"415"', '"500"']) expect(doc).toContain(status);
  });

  it('describes the backup lifecycle: backup_policy with every rule in the run body, backup_archive and archive_policy as config-file keys, restore', async () => {
    const doc = await renderOpenApi();
    for (const rule of ['keep_last:', 'keep_hourly:', 'keep_daily:', 'keep_weekly:', 'keep_monthly:', 'keep_yearly:', 'keep_within:']) expect(doc).toContain(rule);
    expect(doc).toContain('\n  /api/system/cleanup/archive/restore:\n');
    // Config file only: named in the API's description and the archive routes', never a body field.
    const info = doc.slice(0, doc.indexOf('\npaths:'));
    for (const key of ['backup_policy', 'backup_archive', 'archive_policy']) expect(info).toContain(key);
    expect(doc).not.toMatch(/\n\s+backup_archive:\n/);
    expect(doc).not.toMatch(/\n\s+archive_policy:\n/);
    const archiveList = doc.slice(doc.indexOf('\n  /api/system/cleanup/archive:\n'));
    expect(archiveList.slice(0, 1500)).toMatch(/backup_archive/);
  });
});
