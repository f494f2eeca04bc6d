// @ts-check
/**
 * The walker's worker thread (see walker.ts). Plain JavaScript on purpose: vitest runs the
 * .ts sources while production runs dist/, and a Worker needs a file Node can load as is in
 * both; `allowJs` makes tsc copy this file (type-checked through @ts-check) into dist/.
 *
 * Synchronous readdir/lstat off the main thread: much faster than async opendir + lstat and
 * the server's event loop stays free. Records are streamed back in chunks of typed arrays plus
 * one '\0'-joined string of paths, with credit-based back-pressure through a SharedArrayBuffer
 * so memory stays bounded however large the tree is.
 *
 * Rules: symbolic links are never followed (they only count as entries of their folder);
 * a folder on another filesystem than the top folder, a folder named `chrome_profile*`, a
 * folder listed in `neverEnter` or deeper than `maxDepth` is not entered.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** Record kinds, shared with walker.ts. */
const FILE = 0;
const DIR = 1;
const PROBLEM = 2;

/** How many chunks may wait in the main thread's queue before the worker pauses. */
const MAX_IN_FLIGHT = 4;

/**
 * @typedef {object} WalkJob
 * @property {string} dir absolute real path of the top folder
 * @property {string[]} neverEnter absolute paths of folders never entered
 * @property {number} maxDepth folders deeper than this are not entered (top = 0)
 * @property {number} chunkSize records per message
 * @property {SharedArrayBuffer} control [0] chunks in flight, [1] cancel flag
 */

const job = /** @type {WalkJob} */ (workerData);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const control = new Int32Array(job.control);
const skip = new Set(job.neverEnter);

/** @type {number[]} */
let kinds = [];
/** @type {number[]} */
let nums = [];
/** @type {string[]} */
let paths = [];

function cancelled() {
  return Atomics.load(control, 1) === 1;
}

function flush() {
  if (kinds.length === 0) return;
  const k = Uint8Array.from(kinds);
  const n = Float64Array.from(nums);
  port.postMessage({ t: 'chunk', kinds: k, nums: n, paths: paths.join('\0') }, [k.buffer, n.buffer]);
  kinds = [];
  nums = [];
  paths = [];
  Atomics.add(control, 0, 1);
  // Back-pressure: wait while the consumer has enough queued (it decrements and notifies).
  for (let inFlight = Atomics.load(control, 0); inFlight >= MAX_IN_FLIGHT && !cancelled(); ) {
    Atomics.wait(control, 0, inFlight, 1000);
    inFlight = Atomics.load(control, 0);
  }
}

/**
 * @param {number} kind
 * @param {string} rel
 * @param {number} a dev, or the error's errno
 * @param {number} b ino
 * @param {number} c size, or a folder's entry count
 * @param {number} d mtimeMs
 */
function push(kind, rel, a, b, c, d) {
  kinds.push(kind);
  nums.push(a, b, c, d);
  paths.push(rel);
  if (kinds.length >= job.chunkSize) flush();
}

/** @param {string} rel @param {unknown} err */
function problem(rel, err) {
  const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? 'EUNKNOWN';
  if (code === 'ENOENT') return; // vanished while we looked: not a problem
  push(PROBLEM, rel + '\0' + code, 0, 0, 0, 0);
}

/** @param {string} abs */
function lstatOrNull(abs, rel) {
  try {
    return lstatSync(abs, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    problem(rel, err);
    return null;
  }
}

/**
 * Visits one folder: reports its files, returns the sub-folders to enter.
 * @param {string} abs @param {string} rel @param {number} depth @param {number} topDev
 * @returns {Array<[string, string, number]>}
 */
function visit(abs, rel, depth, topDev) {
  /** @type {import('node:fs').Dirent[]} */
  let entries;
  try {
    entries = readdirSync(abs, { withFileTypes: true });
  } catch (err) {
    problem(rel, err);
    return [];
  }
  if (rel !== '') {
    const st = lstatOrNull(abs, rel);
    push(DIR, rel, st ? st.dev : 0, st ? st.ino : 0, entries.length, st ? st.mtimeMs : 0);
  }
  /** @type {Array<[string, string, number]>} */
  const subdirs = [];
  for (const e of entries) {
    // Links, sockets, fifos, devices: never followed, never candidates.
    if (!(e.isFile() || e.isDirectory() || isUnknown(e))) continue;
    const childAbs = abs + '/' + e.name;
    const childRel = rel === '' ? e.name : rel + '/' + e.name;
    const st = lstatOrNull(childAbs, childRel);
    if (!st) continue;
    if (st.isFile()) {
      push(FILE, childRel, st.dev, st.ino, st.size, st.mtimeMs);
    } else if (st.isDirectory() && enterable(e.name, childAbs, depth + 1, st.dev, topDev)) {
      subdirs.push([childAbs, childRel, depth + 1]);
    }
  }
  return subdirs;
}

/** @param {import('node:fs').Dirent} e */
function isUnknown(e) {
  return !(e.isSymbolicLink() || e.isBlockDevice() || e.isCharacterDevice() || e.isFIFO() || e.isSocket());
}

/** @param {string} name @param {string} abs @param {number} depth @param {number} dev @param {number} topDev */
function enterable(name, abs, depth, dev, topDev) {
  return depth <= job.maxDepth && !name.startsWith('chrome_profile') && !skip.has(abs) && dev === topDev;
}

function main() {
  const top = lstatSync(job.dir);
  if (!top.isDirectory()) throw new Error(`${job.dir} is not a folder`);
  /** @type {Array<[string, string, number]>} */
  const stack = [[job.dir, '', 0]];
  while (stack.length > 0 && !cancelled()) {
    const next = /** @type {[string, string, number]} */ (stack.pop());
    const subdirs = visit(next[0], next[1], next[2], top.dev);
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(/** @type {[string, string, number]} */ (subdirs[i]));
  }
  flush();
  port.postMessage({ t: 'done' });
}

main();
