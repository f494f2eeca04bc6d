/**
 * Wraps a StateStore so every write call is timed: goal 5's "recorded in batches without
 * holding the state DB for long" is the longest single write transaction (each store write
 * is one transaction), measured in the process that holds it.
 */
import type { StateStore } from '../../src/store/types.js';

export interface StoreTiming {
  /** appendItems calls (one transaction each). */
  appendCalls: number;
  appendRows: number;
  appendMaxMs: number;
  appendTotalMs: number;
  /** Longest of any write (startRun, appendItems, updateProgress, finishRun). */
  writeMaxMs: number;
  writeMaxName: string;
}

/** Returns a store that delegates to `store` and a live timing record. */
export function timeStore(store: StateStore): { store: StateStore; timing: StoreTiming; reset(): void } {
  const timing: StoreTiming = { appendCalls: 0, appendRows: 0, appendMaxMs: 0, appendTotalMs: 0, writeMaxMs: 0, writeMaxName: '' };
  const note = (name: string, ms: number) => {
    if (ms > timing.writeMaxMs) {
      timing.writeMaxMs = ms;
      timing.writeMaxName = name;
    }
  };
  const timed = <A extends unknown[], R>(name: string, fn: (...a: A) => R) => (...a: A): R => {
    const t0 = performance.now();
    try {
      return fn(...a);
    } finally {
      note(name, performance.now() - t0);
    }
  };
  const wrapped: StateStore = {
    ...store,
    startRun: timed('startRun', store.startRun.bind(store)),
    updateProgress: timed('updateProgress', store.updateProgress.bind(store)),
    finishRun: timed('finishRun', store.finishRun.bind(store)),
    appendItems(runId, items) {
      const t0 = performance.now();
      store.appendItems(runId, items);
      const ms = performance.now() - t0;
      timing.appendCalls++;
      timing.appendRows += items.length;
      timing.appendTotalMs += ms;
      timing.appendMaxMs = Math.max(timing.appendMaxMs, ms);
      note('appendItems', ms);
    },
  };
  return {
    store: wrapped,
    timing,
    reset() {
      Object.assign(timing, { appendCalls: 0, appendRows: 0, appendMaxMs: 0, appendTotalMs: 0, writeMaxMs: 0, writeMaxName: '' });
    },
  };
}
