/**
 * Vitest global setup: the CLI, daemon, race, crash and state-database tests run the built
 * `dist/`, the unit tests run `src/`. Without this, `npx vitest run` after an edit would test
 * the new source against the old build. It compares every source file with its output and runs
 * `tsc` once when any output is missing or older (about a second), then bundles the CLI as
 * `npm run build` does (scripts/bundle-cli.ts: the tests run the bundle, as users do); a failing
 * build fails the run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_MARK, bundleCli } from '../../scripts/bundle-cli.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = ['src', 'scripts'];

/** Source files (`.ts` but not `.d.ts`, and `.js`) under the folders tsconfig compiles. */
function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(abs));
    else if (/\.(ts|js)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(abs);
  }
  return out;
}

/** True when dist/src/cli/bin.js is the bundle, not tsc's output of bin.ts (a bare `tsc` run writes that). */
function binIsBundled(repo: string): boolean {
  const bin = path.join(repo, 'dist/src/cli/bin.js');
  if (!existsSync(bin)) return false;
  const fd = openSync(bin, 'r');
  try {
    const head = Buffer.alloc(200);
    return head.subarray(0, readSync(fd, head, 0, head.length, 0)).toString('utf8').includes(BUNDLE_MARK);
  } finally {
    closeSync(fd);
  }
}

/** The first source whose build output is missing or older than it, or null when dist/ is current. */
export function staleSource(repo = REPO): string | null {
  if (!binIsBundled(repo)) return path.join(repo, 'src/cli/bin.ts');
  const config = statSync(path.join(repo, 'tsconfig.json')).mtimeMs;
  for (const top of SOURCES) {
    if (!existsSync(path.join(repo, top))) continue;
    for (const src of sourceFiles(path.join(repo, top))) {
      const out = path.join(repo, 'dist', path.relative(repo, src).replace(/\.ts$/, '.js'));
      if (!existsSync(out)) return src;
      const built = statSync(out).mtimeMs;
      if (built < statSync(src).mtimeMs || built < config) return src;
    }
  }
  return null;
}

/** Builds dist/ when it is stale; throws (failing the whole run) when the build fails. */
export default async function setup(): Promise<void> {
  const stale = staleSource();
  if (stale === null) return;
  const tsc = spawnSync(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) {
    throw new Error(`dist/ is older than ${path.relative(REPO, stale)} and the build failed (tsc exit ${tsc.status}):\n${tsc.stdout}${tsc.stderr}`);
  }
  await bundleCli(REPO);
  chmodSync(path.join(REPO, 'dist/src/cli/bin.js'), 0o755);
  process.stdout.write(`[build-once] dist/ was older than ${path.relative(REPO, stale)}: rebuilt\n`);
}
