/**
 * Walks a folder tree in a worker thread (walk-worker.js) and streams back what it finds in
 * chunks: regular files with their stat facts, folders with their entry counts, and entries
 * that could not be read. Symbolic links are never followed; see the worker for the rules.
 */
import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./walk-worker.js', import.meta.url);

export interface WalkFile {
  kind: 'file';
  /** Path relative to the walked folder, `/`-separated. */
  rel: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export interface WalkDir {
  kind: 'dir';
  rel: string;
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
  const control = new SharedArrayBuffer(8);
  const ctrl = new Int32Array(control);
  const worker = new Worker(WORKER_URL, {
    workerData: {
      dir,
      neverEnter: [...(opts.neverEnter ?? [])],
      maxDepth: opts.maxDepth ?? Number.MAX_SAFE_INTEGER,
      chunkSize: opts.chunkSize ?? 1024,
      filesOlderThan: opts.filesOlderThan ?? Number.POSITIVE_INFINITY,
      fileName: opts.fileName ? { source: opts.fileName.source, flags: opts.fileName.flags.replace(/[gy]/g, '') } : null,
      dirs: opts.dirs ?? true,
      control,
    },
  });
  const inbox = createInbox(worker, opts.signal);
  try {
    for (;;) {
      const msg = await inbox.next();
      if (msg === null || msg.t === 'done') return;
      if (msg.t === 'problem') {
        yield [{ kind: 'problem', rel: msg.rel, code: msg.code }];
        continue;
      }
      yield decodeChunk(msg);
      Atomics.sub(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
    }
  } finally {
    Atomics.store(ctrl, 1, 1);
    Atomics.notify(ctrl, 0);
    inbox.close();
    await worker.terminate();
  }
}

/** A queue of the worker's messages; `next()` resolves null once aborted. */
function createInbox(worker: Worker, signal: AbortSignal | undefined) {
  const queue: Message[] = [];
  let failure: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  worker.on('message', (m: Message) => {
    queue.push(m);
    poke();
  });
  worker.on('error', (err) => {
    failure = err;
    poke();
  });
  worker.on('exit', () => {
    exited = true;
    poke();
  });
  signal?.addEventListener('abort', poke);
  return {
    async next(): Promise<Message | null> {
      for (;;) {
        if (signal?.aborted) return null;
        const m = queue.shift();
        if (m) return m;
        if (failure) throw failure;
        if (exited) throw new Error('the walker thread exited before finishing');
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    },
    close() {
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
    out[i] = msg.kinds[i] === 0
      ? { kind: 'file', rel, dev: a, ino: b, size: c, mtimeMs: d }
      : { kind: 'dir', rel, dev: a, ino: b, entries: c };
  }
  return out;
}
