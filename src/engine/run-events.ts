/**
 * How one run's events reach its listeners. The engine's own (run-listeners.ts) are called
 * synchronously, in order, in the run's call: they are its bookkeeping. Listeners given to
 * createEngine are called later: events are queued and handed over on `setImmediate`, in
 * order, so they never run inside a handler's call, a throw or a rejected promise is logged and
 * goes no further, and nothing of the run waits for them.
 */
import { isRunEnd, type RunEvent, type RunListener } from '../domain/events.js';
import type { EngineLogger } from './context.js';

/** Failures of one external listener logged per run; more are counted in one last line. */
const LOGGED_FAILURES = 10;

export type Emit = (event: RunEvent) => void;

/** Returns the run's `emit`. With no external listeners, an event costs one loop over the built-ins. */
export function createEmitter(builtIns: readonly RunListener[], external: readonly RunListener[], logger: EngineLogger): Emit {
  if (external.length === 0) {
    return (event) => {
      for (const l of builtIns) l.onEvent(event);
    };
  }
  const deliver = createDelivery(external, logger);
  let queue: RunEvent[] = [];
  const drain = () => {
    const batch = queue;
    queue = [];
    for (const event of batch) deliver(event);
  };
  return (event) => {
    for (const l of builtIns) l.onEvent(event);
    // The end event's result is the caller's to change once runOnce returns: listeners get a copy.
    queue.push(isRunEnd(event) ? { ...event, result: structuredClone(event.result) } : event);
    if (queue.length === 1) setImmediate(drain);
  };
}

/** Hands one event to every external listener, catching and logging what they throw or reject. */
function createDelivery(listeners: readonly RunListener[], logger: EngineLogger): (event: RunEvent) => void {
  const failures = new Map<RunListener, number>();
  const failed = (listener: RunListener, index: number, event: RunEvent, err: unknown) => {
    const n = (failures.get(listener) ?? 0) + 1;
    failures.set(listener, n);
    if (n <= LOGGED_FAILURES) logger.error({ err, listener: index, event: event.type, run_id: event.run_id }, 'run listener failed');
  };
  return (event) => {
    listeners.forEach((listener, index) => {
      try {
        const done = listener.onEvent(event);
        if (done && typeof done.then === 'function') done.then(undefined, (err: unknown) => failed(listener, index, event, err));
      } catch (err) {
        failed(listener, index, event, err);
      }
    });
    if (isRunEnd(event)) reportSilenced(failures, listeners, event.run_id, logger);
  };
}

function reportSilenced(failures: Map<RunListener, number>, listeners: readonly RunListener[], runId: string, logger: EngineLogger): void {
  for (const [listener, n] of failures) {
    if (n > LOGGED_FAILURES) logger.error({ listener: listeners.indexOf(listener), run_id: runId, failures: n }, 'run listener failed repeatedly');
  }
}
