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
 * Several of these threads walk one tree together (lstat is most of the cost, and it is
 * per-file CPU in the kernel and in Node's binding). Each has its own depth-first stack; a
 * thread that runs out of folders asks for work, and a busy one gives it the bottom half of its
 * stack (the shallowest folders, the biggest subtrees) through a shared-memory mailbox. The walk
 * is over when no thread holds work. Records from different threads interleave in any order.
 *
 * Rules: symbolic links are never followed (they only count as entries of their folder);
 * a folder on another filesystem than the top folder, a folder named `chrome_profile*`, a
 * folder deeper than `maxDepth` is not entered; an entry listed in `neverEnter` (a folder, or
 * a file that is a mount point) is neither entered nor listed.
 *
 * Names that are not UTF-8: a folder whose string listing shows U+FFFD is listed again as bytes
 * and its names decoded with byte-names.js (each stray byte as U+DC00 + byte), so the name still
 * leads to its own file; fs calls below such a name get the exact bytes (toFsPath), and its
 * records carry the RAW flag. Folders with ordinary names take the string path only.
 */
import { lstatSync, readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { isPlainName, readdirAsBytes, toFsPath } from './byte-names.js';
import { C_ACTIVE, C_CANCEL, C_DONE, C_IN_FLIGHT, DIR, FILE, lengthSlot as lengthSlotOf, RAW, stateSlot } from './walk-protocol.js';

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
 * @property {SharedArrayBuffer} control Int32 slots, see the C_* constants
 * @property {number} index this thread's number, 0 … threads - 1 (thread 0 starts at the top)
 * @property {number} threads how many threads walk this tree
 * @property {SharedArrayBuffer[]} mailboxes one per thread: folders given to it, as UTF-8 JSON
 */

/** Thread states (in each thread's state slot). */
const BUSY = 0;
const WANTS_WORK = 1;
const CLAIMED = 2;
const DELIVERED = 3;

const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

// Below normal priority: on Linux the nice value is per thread, so this lowers only this walker
// thread. A big walk then yields the cores to the server's event loop and to the dashboard
// instead of competing with them, and runs as fast as before on an otherwise idle machine.
try {
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted or not supported here: walk at normal priority.
}

// The walk this thread is doing: a thread is kept for the next walk (walker.ts pools them) and
// does one at a time, so these are set afresh by `start` for each job.
/** @type {WalkJob} */
let job;
/** @type {Int32Array} */
let control;
let me = 0;
/** @type {Set<string>} */
let skip;
let olderThan = 0;
/** @type {RegExp | null} */
let nameRe = null;
/** @type {number[]} */
let kinds = [];
/** @type {number[]} */
let nums = [];
/** @type {string[]} */
let paths = [];

/** @param {WalkJob} next */
function start(next) {
  job = next;
  control = new Int32Array(job.control);
  me = job.index;
  skip = new Set(job.neverEnter);
  olderThan = job.filesOlderThan;
  nameRe = job.fileName ? new RegExp(job.fileName.source, job.fileName.flags) : null;
  kinds = [];
  nums = [];
  paths = [];
}

const lengthSlot = (/** @type {number} */ i) => lengthSlotOf(job.threads, i);
/** One of each per thread: the encoding and decoding of handed-over folders. */
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function cancelled() {
  return Atomics.load(control, C_CANCEL) === 1;
}

function flush() {
  if (kinds.length === 0) return;
  const k = Uint8Array.from(kinds);
  const n = Float64Array.from(nums);
  port.postMessage({ t: 'chunk', kinds: k, nums: n, paths: paths.join('\0') }, [k.buffer, n.buffer]);
  kinds = [];
  nums = [];
  paths = [];
  Atomics.add(control, C_IN_FLIGHT, 1);
  // Back-pressure: wait while the consumer has enough queued (it decrements and notifies).
  for (let inFlight = Atomics.load(control, C_IN_FLIGHT); inFlight >= MAX_IN_FLIGHT * job.threads && !cancelled(); ) {
    Atomics.wait(control, C_IN_FLIGHT, inFlight, 1000);
    inFlight = Atomics.load(control, C_IN_FLIGHT);
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

/**
 * lstat, or null when the entry vanished or cannot be read (reported as a problem at `relOf(name)`,
 * built only then: most entries never need their relative path).
 * @param {string | Buffer} abs @param {(name: string) => string} relOf @param {string} name
 */
function lstatOrNull(abs, relOf, name) {
  try {
    return lstatSync(abs, { throwIfNoEntry: false }) ?? null;
  } catch (err) {
    problem(relOf(name), err);
    return null;
  }
}

/**
 * @typedef {object} Folder
 * @property {string} abs
 * @property {string} rel
 * @property {number} depth
 * @property {number} dev
 * @property {number} ino
 * @property {number} mtimeMs
 * @property {boolean} raw its path holds bytes that are not UTF-8 (escaped, see byte-names.js)
 */

/**
 * Visits one folder: reports it (except the top) and its files, returns the sub-folders to enter.
 * @param {Folder} dir @param {number} topDev
 * @returns {Folder[]}
 */
function visit(dir, topDev) {
  const listed = list(dir);
  if (listed === null) return [];
  const { entries, bytes } = listed;
  if (dir.rel !== '' && job.dirs) push(dir.raw ? DIR | RAW : DIR, dir.rel, dir.dev, dir.ino, entries.length, dir.mtimeMs);
  /** @type {Folder[]} */
  const subdirs = [];
  const relOf = (/** @type {string} */ name) => (dir.rel === '' ? name : dir.rel + '/' + name);
  for (const e of entries) {
    // Links, sockets, fifos, devices: never followed, never candidates.
    const isFile = e.isFile();
    if (!(isFile || e.isDirectory() || isUnknown(e))) continue;
    const abs = dir.abs + '/' + e.name;
    // neverEnter paths are neither entered nor listed: a file can be a (bind) mount point too.
    if (skip.size > 0 && skip.has(abs)) continue;
    // A file whose name the caller never wants needs no lstat (folders are still entered).
    if (nameRe !== null && isFile && !nameRe.test(e.name)) continue;
    const raw = bytes && (dir.raw || !isPlainName(e.name));
    const st = lstatOrNull(raw ? toFsPath(abs) : abs, relOf, e.name);
    if (!st) continue;
    if (st.isFile()) {
      // (An entry of unknown type was not name-checked above.)
      if (st.mtimeMs < olderThan && (nameRe === null || isFile || nameRe.test(e.name))) push(raw ? FILE | RAW : FILE, relOf(e.name), st.dev, st.ino, st.size, st.mtimeMs);
    } else if (st.isDirectory() && enterable(e.name, dir.depth + 1, st.dev, topDev)) {
      subdirs.push({ abs, rel: relOf(e.name), depth: dir.depth + 1, dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, raw });
    }
  }
  return subdirs;
}

/**
 * A folder's entries, and whether some of their paths hold bytes that are not UTF-8; null when
 * it cannot be read (reported). Node shows such a byte as U+FFFD: a folder whose string listing
 * holds one is listed again as bytes (a real U+FFFD in a name is relisted too, harmlessly).
 * @param {Folder} dir
 * @returns {{ entries: import('node:fs').Dirent[], bytes: boolean } | null}
 */
function list(dir) {
  try {
    const entries = readdirSync(dir.raw ? toFsPath(dir.abs) : dir.abs, { withFileTypes: true });
    for (let i = 0; i < entries.length; i++) {
      if (/** @type {import('node:fs').Dirent} */ (entries[i]).name.includes('\uFFFD')) return { entries: readdirAsBytes(dir.abs), bytes: true };
    }
    return { entries, bytes: dir.raw };
  } catch (err) {
    problem(dir.rel, err);
    return null;
  }
}

/** @param {import('node:fs').Dirent} e */
function isUnknown(e) {
  return !(e.isSymbolicLink() || e.isBlockDevice() || e.isCharacterDevice() || e.isFIFO() || e.isSocket());
}

/** @param {string} name @param {number} depth @param {number} dev @param {number} topDev */
function enterable(name, depth, dev, topDev) {
  return depth <= job.maxDepth && !name.startsWith('chrome_profile') && dev === topDev;
}

/**
 * Gives the bottom half of `stack` to one thread waiting for work, if any (and if there are at
 * least two folders to share). The giver is busy while it gives, so the walk cannot end meanwhile.
 * @param {Folder[]} stack
 * @param {number} topDev
 */
function shareWork(stack, topDev) {
  if (stack.length < 2) return;
  for (let i = 0; i < job.threads; i++) {
    if (i === me || Atomics.load(control, stateSlot(i)) !== WANTS_WORK) continue;
    if (Atomics.compareExchange(control, stateSlot(i), WANTS_WORK, CLAIMED) !== WANTS_WORK) continue;
    Atomics.add(control, C_ACTIVE, 1);
    const box = new Uint8Array(/** @type {SharedArrayBuffer} */ (job.mailboxes[i]));
    let n = Math.floor(stack.length / 2);
    let bytes = encodeFolders(stack.slice(0, n), topDev);
    while (bytes.length > box.length && n > 1) bytes = encodeFolders(stack.slice(0, (n = Math.floor(n / 2))), topDev);
    if (bytes.length > box.length) bytes = encodeFolders([], topDev); // one folder path too long for the mailbox: keep it
    else stack.splice(0, n);
    box.set(bytes);
    Atomics.store(control, lengthSlot(i), bytes.length);
    Atomics.store(control, stateSlot(i), DELIVERED);
    Atomics.notify(control, stateSlot(i));
    if (stack.length < 2) return;
  }
}

/** @param {Folder[]} folders @param {number} topDev */
function encodeFolders(folders, topDev) {
  // JSON writes a lone surrogate (an escaped byte) as `\udcNN`, so it survives the UTF-8 mailbox.
  return encoder.encode(JSON.stringify({ topDev, folders: folders.map((f) => [f.abs, f.rel, f.depth, f.dev, f.ino, f.mtimeMs, f.raw ? 1 : 0]) }));
}

/**
 * Waits until another thread gives this one folders (returned, with the top folder's device)
 * or the walk is over (null).
 * @returns {{ topDev: number, folders: Folder[] } | null}
 */
function waitForWork() {
  Atomics.store(control, stateSlot(me), WANTS_WORK);
  for (;;) {
    const state = Atomics.load(control, stateSlot(me));
    if (state === DELIVERED) {
      const length = Atomics.load(control, lengthSlot(me));
      const bytes = new Uint8Array(/** @type {SharedArrayBuffer} */ (job.mailboxes[me])).slice(0, length);
      Atomics.store(control, stateSlot(me), BUSY);
      /** @type {{ topDev: number, folders: [string, string, number, number, number, number, number][] }} */
      const given = JSON.parse(decoder.decode(bytes));
      const folders = given.folders.map(([abs, rel, depth, dev, ino, mtimeMs, raw]) => ({ abs, rel, depth, dev, ino, mtimeMs, raw: raw === 1 }));
      return { topDev: given.topDev, folders };
    }
    if (Atomics.load(control, C_DONE) === 1 || cancelled()) return null;
    Atomics.wait(control, stateSlot(me), state, 50);
  }
}

/** This thread no longer holds work; returns true when it was the last one (the walk is over). */
function goIdle() {
  if (Atomics.sub(control, C_ACTIVE, 1) !== 1) return false;
  Atomics.store(control, C_DONE, 1);
  for (let i = 0; i < job.threads; i++) Atomics.notify(control, stateSlot(i));
  return true;
}

function main() {
  const top = me === 0 ? lstatOrNull(job.dir, () => '', '') : null;
  let topDev = top?.dev ?? 0;
  /** @type {Folder[]} */
  let stack = top?.isDirectory() ? [{ abs: job.dir, rel: '', depth: 0, dev: top.dev, ino: top.ino, mtimeMs: top.mtimeMs, raw: false }] : [];
  // Thread 0 holds the top folder (C_ACTIVE starts at 1); the others start by asking for work.
  for (let working = me === 0; ; ) {
    while (working && stack.length > 0 && !cancelled()) {
      const next = /** @type {Folder} */ (stack.pop());
      const subdirs = visit(next, topDev);
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(/** @type {Folder} */ (subdirs[i]));
      if (job.threads > 1) shareWork(stack, topDev);
    }
    flush();
    if (cancelled() || (working && goIdle())) break;
    const given = waitForWork();
    if (given === null) break;
    stack = given.folders;
    topDev = given.topDev;
    working = true;
  }
  port.postMessage({ t: 'done' });
}

// One walk per message; the thread then waits (idle, in its event loop) for the next one.
port.on('message', (/** @type {WalkJob} */ next) => {
  start(next);
  main();
});
