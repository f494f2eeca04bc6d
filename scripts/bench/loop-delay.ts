/** Event-loop delay of the current process (perf_hooks histogram at 1 ms resolution), in ms. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelay {
  maxMs: number;
  p99Ms: number;
  meanMs: number;
}

/** Starts a monitor; `read()` returns what it saw since the last `reset()`. */
export function watchEventLoop(): { read(): LoopDelay; reset(): void; stop(): void } {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const ms = (ns: number) => Math.round((ns / 1e6) * 100) / 100;
  return {
    read: () => ({ maxMs: ms(h.max), p99Ms: ms(h.percentile(99)), meanMs: ms(h.mean) }),
    reset: () => h.reset(),
    stop: () => h.disable(),
  };
}
