// @ts-check
/**
 * What walker.ts (the main thread) and walk-worker.js (the walker threads) share: record kinds
 * and the layout of the Int32 control array. Plain JavaScript for the same reason as the worker.
 */

/** Record kinds in a chunk's `kinds` array. */
export const FILE = 0;
export const DIR = 1;
/** Flag added to a kind when the record's path holds bytes that are not UTF-8 (see byte-names.js). */
export const RAW = 2;

/** Control slots: chunks in flight, cancel flag, threads holding work, walk over. */
export const C_IN_FLIGHT = 0;
export const C_CANCEL = 1;
export const C_ACTIVE = 2;
export const C_DONE = 3;
/** Then one state slot per thread (BUSY …), then one mailbox-length slot per thread. */
export const C_STATE = 4;

/** Slot of thread `i`'s state. @param {number} i */
export const stateSlot = (i) => C_STATE + i;
/** Slot of thread `i`'s mailbox length, for `threads` threads. @param {number} threads @param {number} i */
export const lengthSlot = (threads, i) => C_STATE + threads + i;
/** Int32 slots of the control array for `threads` threads. @param {number} threads */
export const controlSlots = (threads) => C_STATE + 2 * threads;
