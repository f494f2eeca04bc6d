/**
 * Runs a small ES module script in a fresh node process against the built `dist/` (vitest's
 * global setup builds it first), optionally as an unprivileged user. Two uses: a check that
 * needs a process of its own (which threads exist), and the safety tests that only mean
 * something without root (an unreadable folder): as root, as in CI, they run in a child with
 * uid/gid 65534 on a temp folder handed to that user, so one run executes every safety test.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir } from './temp-root.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** True when the tests run as root (CI does): root-only cases run here, non-root ones in a child. */
export const IS_ROOT = process.getuid?.() === 0;

/** The conventional `nobody` uid and gid: no file of the repository or the temp dirs belongs to it. */
export const NOBODY = 65534;

/** `import()`-able URL of a built module, e.g. `distUrl('src/engine/fs/walker.js')`. */
export function distUrl(rel: string): string {
  return pathToFileURL(path.join(REPO, 'dist', rel)).href;
}

/** Hands `dir` and everything under it (links not followed) to uid/gid 65534. Root only. */
export function giveToNobody(dir: string): void {
  chownSync(dir, NOBODY, NOBODY);
  if (!lstatSync(dir).isDirectory()) return;
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (lstatSync(p).isSymbolicLink()) continue;
    giveToNobody(p);
  }
}

/**
 * Runs `code` (an ES module: top-level await, `import()` of `distUrl(...)`) in a new node
 * process, as `uid` when given (root only), and returns what it printed last on stdout as JSON.
 * Throws with its stderr when it exits non-zero: a broken check never passes silently.
 */
export function runNodeScript<T>(code: string, opts: { uid?: number; timeoutMs?: number } = {}): T {
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  // A file, not `--input-type=module -e`: worker threads inherit execArgv, and that flag refuses a worker's file.
  const dir = makeTempDir('cw-script-');
  chmodSync(dir, 0o755);
  const file = path.join(dir, 'check.mjs');
  writeFileSync(file, code, { mode: 0o644 });
  const r = spawnSync(process.execPath, [file], {
    ...ids,
    cwd: '/',
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeout: opts.timeoutMs ?? 20_000,
  });
  if (r.status !== 0) throw new Error(`node child (uid ${opts.uid ?? process.getuid?.()}) exited ${r.status ?? r.signal}: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as T;
}
