/**
 * `npm run build`'s second step (after tsc): bundles the CLI into one file with esbuild,
 * written over tsc's `dist/src/cli/bin.js`, so the `bin` of package.json, the tests and the bench
 * all run the bundle. Why: an unbundled CLI start spent ~150 ms in Node's ESM loader resolving and
 * reading ~400 files (247 of TypeBox, 151 of dist/, ~40 of pino, picomatch, node-cron).
 *
 * What stays outside the bundle, loaded from node_modules at run time:
 * - better-sqlite3: a native addon;
 * - @aws-sdk/*, nodemailer: imported lazily on purpose (an S3 target's or an email's first use);
 *   src/targets/s3.ts, which imports the SDK, becomes a split chunk loaded by that same lazy
 *   `import()`, so a CLI run loads none of them. `checkStartGraph` fails the build otherwise.
 *
 * Files found at run time through `import.meta.url` resolve from dist/src/cli/ inside the bundle:
 * `../server.js` (--daemon) and `../../../package.json` (--version) are where they were; the
 * walker's `./walk-worker.js` is bundled on its own next to bin.js (the server's unbundled walker
 * keeps its sibling in dist/src/engine/fs/).
 *
 * Usage: `node dist/scripts/bundle-cli.js` (from the repository); test/helpers/build-once.ts
 * calls `bundleCli` after it rebuilds.
 */
import { readdirSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Metafile } from 'esbuild';

/** The first line after the hashbang of a bundled bin.js: how build-once tells it from tsc's. */
export const BUNDLE_MARK = '// cleanup-worker CLI bundle (scripts/bundle-cli.ts)';

/** Packages never bundled: a native addon, and the ones loaded lazily on purpose. */
const EXTERNAL = ['better-sqlite3', '@aws-sdk/*', 'nodemailer'];

/** What the bundle may import when it starts, besides Node's own modules and its shared chunks. */
const START_PACKAGES = new Set(['better-sqlite3']);

// Bundled CommonJS packages (pino and its streams) call require() for Node's modules; an ES
// module has no require, so the bundle makes one. esbuild does not see the banner's names: a bundled module
// declaring a top-level `require` would collide with it (the bundle then fails to load, and every
// CLI test with it). No identifier minification for the same reason, and for readable stacks.
const REQUIRE_SHIM = "import { createRequire as createRequireForBundle } from 'node:module';\nconst require = createRequireForBundle(import.meta.url);";

function common(repo: string): BuildOptions {
  return {
    absWorkingDir: repo,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: path.join(repo, 'dist/src/cli'),
    entryNames: '[name]',
    // Stack traces map back to src/ (node --enable-source-maps); src/ itself is not copied in.
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
  };
}

/**
 * Writes dist/src/cli/bin.js (+ chunks/ and walk-worker.js, with source maps) from src/. Throws
 * when esbuild fails or when the bundle would load a lazy package at start.
 */
export async function bundleCli(repo: string): Promise<void> {
  rmSync(path.join(repo, 'dist/src/cli/chunks'), { recursive: true, force: true });
  const cli = await build({
    ...common(repo),
    entryPoints: ['src/cli/bin.ts'],
    metafile: true,
    external: EXTERNAL,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: `${BUNDLE_MARK}\n${REQUIRE_SHIM}` },
  });
  const worker = await build({ ...common(repo), entryPoints: ['src/engine/fs/walk-worker.js'], external: EXTERNAL, metafile: true });
  checkStartGraph(cli.metafile, 'bin.js');
  checkStartGraph(worker.metafile, 'walk-worker.js');
}

/** Throws unless `entry` and what it imports statically (not through `import()`) are allowed at start. */
export function checkStartGraph(meta: Metafile, entry: string): void {
  const outputs = new Map(Object.entries(meta.outputs).map(([file, out]) => [file, out]));
  const start = [...outputs.keys()].find((f) => f.endsWith(`/cli/${entry}`));
  if (!start) throw new Error(`bundle-cli: no output ${entry}`);
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of outputs.get(file)?.imports ?? []) {
      if (imp.kind === 'dynamic-import') continue;
      const allowed = imp.external ? isBuiltin(imp.path) || START_PACKAGES.has(imp.path) : outputs.has(imp.path);
      if (!allowed) throw new Error(`bundle-cli: ${entry} would load ${imp.path} at start (keep it lazy)`);
      if (outputs.has(imp.path)) visit(imp.path);
    }
  };
  visit(start);
}

/** Output files of a folder, for the report line. */
function count(dir: string): number {
  return readdirSync(dir).filter((f) => f.endsWith('.js')).length;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  await bundleCli(repo);
  process.stdout.write(`bundle-cli: dist/src/cli/bin.js bundled (${count(path.join(repo, 'dist/src/cli/chunks'))} lazy or shared chunks)\n`);
}
