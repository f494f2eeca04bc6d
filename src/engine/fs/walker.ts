/**
 * Walks a folder tree in worker threads (walk-worker.js, two sharing the tree) and streams back
 * what they find in chunks: regular files with their stat facts, folders with their entry counts,
 * and entries that could not be read. Symbolic links are never followed; see the worker for the rules.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { C_ACTIVE, C_CANCEL, C_IN_FLIGHT, controlSlots, DIR, RAW, stateSlot } from './walk-protocol.js';

// Beside this file once built; in the CLI bundle (dist/src/cli/bin.js, scripts/bundle-cli.ts) this
// resolves beside the bundle, where the build puts a bundled copy of the worker.
const WORKER_URL = new URL('./walk-worker.js', import.meta.url);

/**
 * Threads walking one tree: two where there are two cores. lstat is per-file CPU (kernel and
 * Node's binding), so a second thread nearly halves a big walk; more would take the cores the
 * server and the dashboard need, for a job that is often bound by the disk anyway.
 */
export const WALK_THREADS = Math.min(2, availableParallelism());

const WORKER_YOUNG_GENERATION_MB = 12;

/** Bytes of each thread's mailbox (folders handed to it by another thread, as JSON). */
const MAILBOX_BYTES = 256 * 1024;

/**
 * Walker threads kept between walks: starting one costs 30-90 ms, and a run walks logs/, tmp/
 * and cache/ one after another. An idle thread holds no reference on the process and is ended
 * after IDLE_MS without a walk.
 */
const idle: Worker[] = [];
const IDLE_MS = 2000;
let idleTimer: NodeJS.Timeout | null = null;

function takeWorker(): Worker {
  let worker = idle.pop();
  if (!worker) {
    const fresh = new Worker(WORKER_URL, {
      // A walker's garbage (Dirents, Stats, paths) dies young: a 12 MB young generation instead of
      // V8's default 48 MB took the peak RSS of a 1M-file plan from 158 to 143 MB at the same speed.
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    // While idle, a thread that fails or ends leaves the pool (a walk in progress has its own listeners).
    const leave = () => {
      const at = idle.indexOf(fresh);
      if (at >= 0) idle.splice(at, 1);
    };
    fresh.on('error', leave).on('exit', leave);
    worker = fresh;
  }
  worker.ref();
  return worker;
}

/** Puts threads that finished their walk cleanly back, for the next walk. */
function giveBack(workers: readonly Worker[]): void {
  for (const w of workers) {
    w.unref();
    idle.push(w);
  }
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    idleTimer = null;
    for (const w of idle.splice(0)) void w.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

export interface WalkFile {
  kind: 'file';
  /**
   * Path relative to the walked folder, `/`-separated. When `raw`, it holds bytes that are not
   * UTF-8, each as U+DC00 + byte (see byte-names.js): pass it through toFsPath to reach the
   * file and through displayPath to show it.
   */
  rel: string;
  /** Set (true) only when `rel` holds escaped bytes. */
  raw?: true;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface WalkDir {
  kind: 'dir';
  /** As WalkFile's `rel`. */
  rel: string;
  /** As WalkFile's `raw`. */
  raw?: true;
  dev: number;
  ino: number;
  /** How many entries of any type it held when it was read (skipped ones included). */
  entries: number;
}

/** An entry that could not be read (EACCES…); vanished entries are not reported. */
export interface WalkProblem {
  kind: 'problem';
  rel: string;
  code: string;
}

export type WalkRecord = WalkFile | WalkDir | WalkProblem;

export interface WalkOptions {
  /** Folders deeper than this are not entered; the walked folder is depth 0. Default: no limit. */
  maxDepth?: number;
  /** Absolute paths never entered nor listed (sessions, the service's state, mount points…). */
  neverEnter?: readonly string[];
  /** Stops the walk (the generator then returns). */
  signal?: AbortSignal;
  /** Records per chunk (default 1024). */
  chunkSize?: number;
  /**
   * Pre-filter: only files with `mtimeMs < filesOlderThan` are posted. A caller must pass a
   * bound no stricter than its own rule (the planner still decides on every file it gets).
   */
  filesOlderThan?: number;
  /** Pre-filter: only files whose name (last path part) matches are posted; folders are walked all the same. */
  fileName?: RegExp;
  /** Post folder records (default true); false when the caller has no use for them. */
  dirs?: boolean;
  /** Threads walking the tree together (default WALK_THREADS). Records then come in no particular order. */
  threads?: number;
}

type Message =
  | { t: 'chunk'; kinds: Uint8Array; nums: Float64Array; paths: string }
  | { t: 'problem'; rel: string; code: string }
  | { t: 'done' };

/**
 * Yields the tree under `dir` (an absolute, symlink-free path) in chunks, depth first.
 * Only regular files are `file` records; folders on another filesystem, `chrome_profile*`
 * folders are not entered; `neverEnter` paths are neither entered nor listed. At most a few chunks are buffered: the
 * worker pauses until the consumer catches up. Breaking out of the loop stops the worker.
 * Throws if the worker itself fails (not for unreadable entries: those are `problem` records).
 */
export async function* walkTree(dir: string, opts: WalkOptions = {}): AsyncGenerator<WalkRecord[]> {
  const threads = Math.max(1, opts.threads ?? WALK_THREADS);
  const control = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * controlSlots(threads));
  const ctrl = new Int32Array(control);
  ctrl[C_ACTIVE] = 1; // thread 0 starts with the top folder

  const mailboxes = Array.from({ length: threads }, () => new SharedArrayBuffer(MAILBOX_BYTES));
  const workers = Array.from({ length: threads }, takeWorker);
  const inbox = createInbox(workers, opts.signal);
  let finished = false;
  try {
    const job = {
      dir,
      neverEnter: [...(opts.neverEnter ?? [])],
      maxDepth: opts.maxDepth ?? Number.MAX_SAFE_INTEGER,
      chunkSize: opts.chunkSize ?? 1024,
      filesOlderThan: opts.filesOlderThan ?? Number.POSITIVE_INFINITY,
      fileName: opts.fileName ? { source: opts.fileName.source, flags: opts.fileName.flags.replace(/[gy]/g, '') } : null,
      dirs: opts.dirs ?? true,
      control,
      threads,
      mailboxes,
    };
    for (const [index, worker] of workers.entries()) worker.postMessage({ ...job, index });
    for (let done = 0; done < threads; ) {
      const msg = await inbox.next();
      if (msg === null) return;
      if (msg.t === 'done') {
        done++;
        continue;
      }
      if (msg.t === 'problem') {
        yield [{ kind: 'problem', rel: msg.rel, code: msg.code }];
        continue;
      }
      yield decodeChunk(msg);
      Atomics.sub(ctrl, C_IN_FLIGHT, 1);
      Atomics.notify(ctrl, C_IN_FLIGHT);
    }
    finished = true;
  } finally {
    inbox.close();
    if (finished) {
      giveBack(workers);
    } else {
      // Stopped early (break, abort, failure): the threads may still be walking; end them.
      Atomics.store(ctrl, C_CANCEL, 1);
      Atomics.notify(ctrl, C_IN_FLIGHT);
      for (let i = 0; i < threads; i++) Atomics.notify(ctrl, stateSlot(i));
      await Promise.all(workers.map((w) => w.terminate()));
    }
  }
}

/** A queue of the workers' messages for one walk; `next()` resolves null once aborted. */
function createInbox(workers: readonly Worker[], signal: AbortSignal | undefined) {
  const queue: Message[] = [];
  let failure: Error | null = null;
  let exitedEarly = false;
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  const listeners = workers.map((worker) => {
    const onMessage = (m: Message) => {
      queue.push(m);
      poke();
    };
    const onError = (err: Error) => {
      failure = err;
      poke();
    };
    // A thread ends only when terminated: ending during a walk is a failure.
    const onExit = () => {
      exitedEarly = true;
      poke();
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    return () => worker.off('message', onMessage).off('error', onError).off('exit', onExit);
  });
  signal?.addEventListener('abort', poke);
  return {
    async next(): Promise<Message | null> {
      for (;;) {
        if (signal?.aborted) return null;
        const m = queue.shift();
        if (m) return m;
        if (failure) throw failure;
        if (exitedEarly) throw new Error('a walker thread exited before finishing');
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
    close() {
      for (const off of listeners) off();
      signal?.removeEventListener('abort', poke);
    },
  };
}

function decodeChunk(msg: { kinds: Uint8Array; nums: Float64Array; paths: string }): WalkRecord[] {
  const rels = msg.paths.split('\0');
  const out: WalkRecord[] = new Array(msg.kinds.length);
  for (let i = 0; i < msg.kinds.length; i++) {
    const rel = rels[i] ?? '';
    const [a, b, c, d] = [msg.nums[4 * i] ?? 0, msg.nums[4 * i + 1] ?? 0, msg.nums[4 * i + 2] ?? 0, msg.nums[4 * i + 3] ?? 0];
    const kind = msg.kinds[i] ?? 0;
    const r: WalkRecord = (kind & DIR) === 0
      ? { kind: 'file', rel, dev: a, ino: b, size: c, mtimeMs: d }
      : { kind: 'dir', rel, dev: a, ino: b, entries: c };
    if (kind & RAW) r.raw = true;
    out[i] = r;
  }
  return out;
}
