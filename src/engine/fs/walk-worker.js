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
 * folder deeper than `maxDepth` is not entered; an entry listed in `neverEnter` (a folder, or
 * a file that is a mount point) is neither entered nor listed.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

/** Record kinds, shared with walker.ts. */
const FILE = 0;
const DIR = 1;

/** How many chunks may wait in the main thread's queue before the worker pauses. */
const MAX_IN_FLIGHT = 4;

/**
 * @typedef {object} WalkJob
 * @property {string} dir absolute real path of the top folder
 * @property {string[]} neverEnter absolute paths of folders never entered
 * @property {number} maxDepth folders deeper than this are not entered (top = 0)
 * @property {number} chunkSize records per message
 * @property {number} filesOlderThan only files with mtimeMs below this are posted (a pre-filter)
 * @property {{ source: string, flags: string } | null} fileName only files whose name matches are posted
 * @property {boolean} dirs whether folder records are posted
 * @property {SharedArrayBuffer} control [0] chunks in flight, [1] cancel flag
 */

const job = /** @type {WalkJob} */ (workerData);
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const control = new Int32Array(job.control);
const skip = new Set(job.neverEnter);
const olderThan = job.filesOlderThan;
const nameRe = job.fileName ? new RegExp(job.fileName.source, job.fileName.flags) : null;

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
 * @param {number} a dev
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

/**
 * Reports an unreadable entry (rare, so one message each, outside the chunks).
 * @param {string} rel @param {unknown} err
 */
function problem(rel, err) {
  const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? String(err);
  if (code === 'ENOENT') return; // vanished while we looked: not a problem
  port.postMessage({ t: 'problem', rel, code });
}

/** @param {string} abs @param {string} rel */
function lstatOrNull(abs, rel) {
  try {
    return lstatSync(abs, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    problem(rel, err);
    return null;
  }
}

/**
 * @typedef {object} Folder
 * @property {string} abs
 * @property {string} rel
 * @property {number} depth
 * @property {import('node:fs').Stats} st
 */

/**
 * Visits one folder: reports it (except the top) and its files, returns the sub-folders to enter.
 * @param {Folder} dir @param {number} topDev
 * @returns {Folder[]}
 */
function visit(dir, topDev) {
  /** @type {import('node:fs').Dirent[]} */
  let entries;
  try {
    entries = readdirSync(dir.abs, { withFileTypes: true });
  } catch (err) {
    problem(dir.rel, err);
    return [];
  }
  if (dir.rel !== '' && job.dirs) push(DIR, dir.rel, dir.st.dev, dir.st.ino, entries.length, dir.st.mtimeMs);
  /** @type {Folder[]} */
  const subdirs = [];
  for (const e of entries) {
    // Links, sockets, fifos, devices: never followed, never candidates.
    if (!(e.isFile() || e.isDirectory() || isUnknown(e))) continue;
    const abs = dir.abs + '/' + e.name;
    // neverEnter paths are neither entered nor listed: a file can be a (bind) mount point too.
    if (skip.has(abs)) continue;
    // A file whose name the caller never wants needs no lstat (folders are still entered).
    if (nameRe !== null && e.isFile() && !nameRe.test(e.name)) continue;
    const rel = dir.rel === '' ? e.name : dir.rel + '/' + e.name;
    const st = lstatOrNull(abs, rel);
    if (!st) continue;
    if (st.isFile()) {
      if (st.mtimeMs < olderThan && (nameRe === null || nameRe.test(e.name))) push(FILE, rel, st.dev, st.ino, st.size, st.mtimeMs);
    } else if (st.isDirectory() && enterable(e.name, dir.depth + 1, st.dev, topDev)) {
      subdirs.push({ abs, rel, depth: dir.depth + 1, st });
    }
  }
  return subdirs;
}

/** @param {import('node:fs').Dirent} e */
function isUnknown(e) {
  return !(e.isSymbolicLink() || e.isBlockDevice() || e.isCharacterDevice() || e.isFIFO() || e.isSocket());
}

/** @param {string} name @param {number} depth @param {number} dev @param {number} topDev */
function enterable(name, depth, dev, topDev) {
  return depth <= job.maxDepth && !name.startsWith('chrome_profile') && dev === topDev;
}

function main() {
  const top = lstatOrNull(job.dir, '');
  /** @type {Folder[]} */
  const stack = top?.isDirectory() ? [{ abs: job.dir, rel: '', depth: 0, st: top }] : [];
  const topDev = top?.dev ?? 0;
  while (stack.length > 0 && !cancelled()) {
    const next = /** @type {Folder} */ (stack.pop());
    const subdirs = visit(next, topDev);
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(/** @type {Folder} */ (subdirs[i]));
  }
  flush();
  port.postMessage({ t: 'done' });
}

main();
