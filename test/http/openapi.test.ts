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
});
