/**
 * The built CLI is one bundle (scripts/bundle-cli.ts, issue 16): a dry run through
 * dist/src/cli/bin.js must load the bundle's own files and better-sqlite3 only, not dist/'s
 * ~150 modules nor TypeBox's ~250, and never the lazily loaded AWS SDK or nodemailer. Every
 * ES module the process resolves is recorded by a resolve hook (`--import`); durations are the
 * bench's business, not asserted here.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/temp-root.js';
import { BIN, buildFixture, cliEnv, listTree, SERVICE_OWN } from './cli-helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** A module registering a resolve hook that appends each file: URL to $CW_LOADS. */
const RECORDER = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith('file:')) appendFileSync(process.env.CW_LOADS, r.url + '\\\\n');
  return r;
}\`));
`;

describe('the bundled CLI', () => {
  it('a dry run loads the bundle (bin.js, its chunks, its walker) and better-sqlite3, nothing else of dist/ or node_modules, and lists what it would delete', async () => {
    const root = makeTempDir('cw-bundle-');
    buildFixture(root, Date.now());
    const dir = makeTempDir('cw-bundle-hook-');
    const recorder = path.join(dir, 'record-loads.mjs');
    const loads = path.join(dir, 'loads.txt');
    writeFileSync(recorder, RECORDER);
    writeFileSync(loads, '');
    const before = listTree(root, SERVICE_OWN);

    const r = spawnSync(process.execPath, ['--import', pathToFileURL(recorder).href, BIN, '--root', root], { env: cliEnv({ CW_LOADS: loads }), encoding: 'utf8' });

    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Dry run: nothing was deleted.');
    expect(r.stdout).toContain('backups/prod/');
    expect(listTree(root, SERVICE_OWN)).toEqual(before);
    const urls = new Set(readFileSync(loads, 'utf8').split('\n').filter(Boolean));
    urls.delete(pathToFileURL(recorder).href);
    const files = [...urls].map((u) => path.relative(REPO, fileURLToPath(u)));
    const ours = files.filter((f) => f.startsWith('dist/'));
    const packages = files.filter((f) => f.includes('node_modules/'));
    expect(ours).toContain('dist/src/cli/bin.js');
    expect(ours.filter((f) => !/^dist\/src\/cli\/(bin\.js|walk-worker\.js|chunks\/chunk-[\w-]+\.js)$/.test(f))).toEqual([]);
    expect(packages.filter((f) => !f.includes('node_modules/better-sqlite3/'))).toEqual([]);
    expect(files.filter((f) => !f.startsWith('dist/') && !f.includes('node_modules/'))).toEqual([]);
  });
});
