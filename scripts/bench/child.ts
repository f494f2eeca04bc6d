/**
 * Parent side of the child protocol: forks one of the compiled child scripts, sends its job,
 * and exposes `call(name)` / `stop()`. Children are measured in their own process so that
 * peak RSS, CPU and event-loop delay are theirs alone and nothing pollutes the harness.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToChild, ToParent } from './protocol.js';
import { trackChild, untrackChild } from './workdir.js';

export type ChildName =
  | 'engine-child'
  | 'bookkeeping-child'
  | 'sql-child'
  | 'writer-child'
  | 'server-child'
  | 'loadgen-child'
  | 'poller-child'
  | 'archive-child';

/**
 * The compiled child script. From dist/ it sits beside this file; from the TS sources (vitest)
 * it is looked up in dist/, which `npm test` builds first.
 */
export function childScript(name: ChildName): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const beside = path.join(here, 'children', `${name}.js`);
  if (existsSync(beside)) return beside;
  const repo = path.resolve(here, '..', '..');
  const built = path.join(repo, 'dist', 'scripts', 'bench', 'children', `${name}.js`);
  if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build first`);
  return built;
}

/** Extra node flags per child kind, e.g. `--cpu-prof` for the engine (set once from the CLI flags). */
export const childFlags: Partial<Record<ChildName, string[]>> = {};

export interface Child<I> {
  pid: number;
  /** The child's ready info (for one-shot children: their result). */
  info: I;
  call<T>(name: string, args?: unknown): Promise<T>;
  /** Calls the child's `stop` and waits for it to exit; resolves to stop's value. */
  stop<T>(args?: unknown): Promise<T>;
  kill(): void;
}

export interface SpawnOptions {
  /** Extra node flags, e.g. --max-old-space-size. */
  execArgv?: string[];
  /** Inherit stderr (default) or drop it. */
  quiet?: boolean;
}

/** Forks a child, sends the job, resolves once it is ready; rejects if it crashes first. */
export function spawnChild<I>(name: ChildName, job: unknown, opts: SpawnOptions = {}): Promise<Child<I>> {
  const proc = fork(childScript(name), [], {
    execArgv: opts.execArgv ?? childFlags[name] ?? [],
    stdio: ['ignore', 'ignore', opts.quiet ? 'ignore' : 'inherit', 'ipc'],
  });
  trackChild(proc.pid);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return new Promise((resolveReady, rejectReady) => {
    proc.on('message', (m: ToParent) => {
      if (m.t === 'hello') proc.send({ t: 'job', job } satisfies ToChild);
      else if (m.t === 'ready') resolveReady(makeChild(proc, m.info as I));
      else if (m.t === 'crash') rejectReady(new Error(`${name} failed: ${m.error}`));
      else if (m.t === 'reply') pending.get(m.id)?.resolve(m.value);
      else if (m.t === 'fail') pending.get(m.id)?.reject(new Error(`${name}: ${m.error}`));
      if (m.t === 'reply' || m.t === 'fail') pending.delete(m.id);
    });
    proc.once('exit', (code, signal) => {
      untrackChild(proc.pid);
      const err = new Error(`${name} exited (code ${code}, signal ${signal})`);
      rejectReady(err);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    });
  });

  function makeChild(p: ChildProcess, info: I): Child<I> {
    const call = <T>(callName: string, args?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        p.send({ t: 'call', id, name: callName, args } satisfies ToChild);
      });
    return {
      pid: p.pid as number,
      info,
      call,
      async stop<T>(args?: unknown) {
        const v = await call<T>('stop', args);
        await exited;
        return v;
      },
      kill() {
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      },
    };
  }
}

/** Runs a one-shot child (its ready info is the result) and waits for it to exit. */
export async function runOnceChild<I>(name: ChildName, job: unknown, opts: SpawnOptions = {}): Promise<I> {
  const c = await spawnChild<I>(name, job, opts);
  await c.stop();
  return c.info;
}
