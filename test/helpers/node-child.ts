/**
 * Small ES module scripts in fresh node processes, against the built `dist/` (vitest's global
 * setup builds it first). Three uses: a check that needs a process of its own (which threads
 * exist), a real second process holding the run lock, and the safety tests that only mean
 * something without root (an unreadable folder): as root, as in CI, those run in a child with
 * uid/gid 65534 on a temp folder handed to that user, so one run executes every safety test.
 *
 * A script calls `dist('src/…/x.js')` for the `import()` URL of a built module. For a child
 * run as another user, dist/src is first copied to a temp folder that user can read (the
 * checkout may sit under a folder it cannot enter); such a script may import only modules
 * that need nothing from node_modules.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, lstatSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach } from 'vitest';
import { makeTempDir } from './temp-root.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** True when the tests run as root (CI does): root-only cases run here, non-root ones in a child. */
export const IS_ROOT = process.getuid?.() === 0;

/** The conventional `nobody` uid and gid: no file of the repository or the temp dirs belongs to it. */
export const NOBODY = 65534;

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
 * Writes `code` to `script.mjs` in a fresh folder anyone can read, after a prelude defining
 * `dist(rel)`. A file, not `--input-type=module -e`: worker threads inherit execArgv, and that
 * flag refuses a worker's file. `ownDist` copies dist/src beside it (for another user).
 */
function scriptFile(code: string, ownDist: boolean): string {
  const dir = makeTempDir('cw-script-');
  chmodSync(dir, 0o755);
  let base = path.join(REPO, 'dist');
  if (ownDist) {
    base = path.join(dir, 'dist');
    cpSync(path.join(REPO, 'dist/src'), path.join(base, 'src'), { recursive: true });
  }
  const prelude = `const dist = (rel) => new URL(rel, ${JSON.stringify(`${pathToFileURL(base).href}/`)}).href;\n`;
  const file = path.join(dir, 'script.mjs');
  writeFileSync(file, prelude + code, { mode: 0o644 });
  return file;
}

/**
 * Runs `code` (an ES module: top-level await, `import(dist(...))`) in a new node process, as
 * `uid` when given (root only), and returns the last line it printed on stdout, parsed as JSON.
 * Throws with its stderr when it exits non-zero: a broken check never passes silently.
 */
export function runNodeScript<T>(code: string, opts: { uid?: number; timeoutMs?: number } = {}): T {
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid };
  const r = spawnSync(process.execPath, [scriptFile(code, opts.uid !== undefined)], {
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

const running: ChildProcess[] = [];
afterEach(() => {
  for (const c of running.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export interface ScriptProcess {
  child: ChildProcess;
  /** The next line it prints on stdout, parsed as JSON; rejects if it exits first. */
  next<T = Record<string, unknown>>(): Promise<T>;
  /** Writes a line to its stdin. */
  send(line: string): void;
  /** Its exit code, once its output has been read. */
  exited: Promise<number | null>;
}

/**
 * Starts `code` (an ES module, like runNodeScript's) as a long-lived second process the test talks
 * to line by line: JSON lines out, plain lines in. SIGKILLed after the test if still running.
 */
export function startNodeScript(code: string): ScriptProcess {
  const child = spawn(process.execPath, [scriptFile(code, false)], {
    cwd: '/',
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  running.push(child);
  let buf = '';
  let stderr = '';
  const lines: string[] = [];
  const waiting: (() => void)[] = [];
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d) => {
    buf += d;
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    for (const wake of waiting.splice(0)) wake();
  });
  let closed = false;
  // 'close': stdout has been read to its end, so no line is still on its way.
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      resolve(code);
    }),
  );
  const next = async <T>(): Promise<T> => {
    while (lines.length === 0) {
      if (closed) throw new Error(`script exited ${child.exitCode ?? child.signalCode}: ${stderr}`);
      await Promise.race([new Promise<void>((r) => waiting.push(r)), exited]);
    }
    return JSON.parse(lines.shift() as string) as T;
  };
  return { child, next, send: (line) => child.stdin?.write(`${line}\n`), exited };
}
