/**
 * The tiny IPC protocol between the bench harness and its child processes.
 * Parent → child: `{t:'job', job}` once, then `{t:'call', id, name, args}`.
 * Child → parent: `{t:'hello'}` once it listens (the parent sends the job only then, so no
 * message can arrive before the child's listener), `{t:'ready', info}` once started,
 * `{t:'reply', id, value}` / `{t:'fail', id, error}`.
 * A child exits after answering the call named `stop`.
 */

/**
 * Ends the child without process.exit(): pino's exit hook throws from inside process.exit()
 * when its file destination has not finished opening (a short run), which would leave the
 * child alive. Disconnecting lets the loop drain; a stuck child is ended after 5 s.
 */
function leave(): void {
  process.disconnect?.();
  setTimeout(() => {
    try {
      process.exit(0);
    } catch {
      process.kill(process.pid, 'SIGKILL');
    }
  }, 5000).unref();
}

export type ToChild = { t: 'job'; job: unknown } | { t: 'call'; id: number; name: string; args: unknown };
export type ToParent =
  | { t: 'hello' }
  | { t: 'ready'; info: unknown }
  | { t: 'reply'; id: number; value: unknown }
  | { t: 'fail'; id: number; error: string }
  | { t: 'crash'; error: string };

/** What a child module implements: `start` gets the job, returns its ready info and its calls. */
export interface ChildImpl<J, I> {
  start(job: J): Promise<{ info: I; calls: Record<string, (args: never) => unknown> }>;
}

/** Runs a child module: waits for the job, starts it, answers calls, exits after `stop`. */
export function serveChild<J, I>(impl: ChildImpl<J, I>): void {
  const send = (m: ToParent) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));
  let calls: Record<string, (args: never) => unknown> = {};
  process.on('message', async (m: ToChild) => {
    try {
      if (m.t === 'job') {
        const started = await impl.start(m.job as J);
        calls = started.calls;
        await send({ t: 'ready', info: started.info });
        return;
      }
      const fn = calls[m.name];
      const value = fn ? await fn(m.args as never) : undefined;
      await send({ t: 'reply', id: m.id, value });
      if (m.name === 'stop') leave();
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      await send(m.t === 'call' ? { t: 'fail', id: m.id, error } : { t: 'crash', error });
      if (m.t === 'job') {
        process.exitCode = 1;
        leave();
      }
    }
  });
  process.on('disconnect', () => setTimeout(() => process.exit(0), 5000).unref());
  void send({ t: 'hello' });
}
