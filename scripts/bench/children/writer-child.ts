/**
 * Child: the dashboard still writing while a cleanup runs. Every `intervalMs` (fixed schedule)
 * it performs one write on its own connection with a 5 s busy timeout, and records how long
 * the write took (its stall: waiting for the lock plus the work) and any error.
 * Modes: insert a pending task, insert a prompt, or (state DB) take and release the write lock.
 */
import Database from 'better-sqlite3';
import { serveChild } from '../protocol.js';
import { summarizeLatencies, type LatencySummary } from '../stats.js';

export interface WriterJob {
  dbFile: string;
  mode: 'insert-task' | 'insert-prompt' | 'lock-probe';
  intervalMs: number;
  busyTimeoutMs?: number;
}

export interface WriterResult {
  writes: number;
  /** Duration of each write, ms. */
  stall: LatencySummary;
  /** Lateness against the fixed schedule (a stalled writer falls behind), ms. */
  lateness: LatencySummary;
  errors: number;
  firstError: string | null;
}

serveChild<WriterJob, { pid: number }>({
  async start(job) {
    const db = new Database(job.dbFile, { fileMustExist: true, timeout: job.busyTimeoutMs ?? 5000 });
    const write = makeWrite(db, job.mode);
    const stalls: number[] = [];
    const late: number[] = [];
    let errors = 0;
    let firstError: string | null = null;
    let stopped = false;
    const t0 = performance.now();
    const loop = async () => {
      for (let k = 1; !stopped; k++) {
        const due = t0 + k * job.intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stopped) break;
        const start = performance.now();
        try {
          write();
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
        const end = performance.now();
        stalls.push(end - start);
        late.push(end - due);
      }
    };
    const done = loop();
    return {
      info: { pid: process.pid },
      calls: {
        async stop(): Promise<WriterResult> {
          stopped = true;
          await done;
          db.close();
          return { writes: stalls.length, stall: summarizeLatencies(stalls), lateness: summarizeLatencies(late), errors, firstError };
        },
      },
    };
  },
});

function makeWrite(db: Database.Database, mode: WriterJob['mode']): () => void {
  if (mode === 'lock-probe') {
    const probe = db.transaction(() => {});
    return () => probe.immediate();
  }
  if (mode === 'insert-task') {
    const s = db.prepare(
      `INSERT INTO task_queue (task_type, status, payload, created_at) VALUES ('bench-writer', 'pending', '{}', CURRENT_TIMESTAMP)`,
    );
    return () => s.run();
  }
  const s = db.prepare(
    `INSERT INTO assigner_prompts (task_id, role, prompt, created_at) VALUES (0, 'bench-writer', 'new prompt', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))`,
  );
  return () => s.run();
}
