/**
 * The notifications' run listener. A run's events are already in the outbox when its end event
 * arrives (the store wrote them in the transaction that finished the run), so the listener only
 * wakes the sender: nothing here can fail or slow a run.
 */
import { isRunEnd, type RunListener } from '../domain/events.js';
import type { Sender } from './sender.js';

/** Wakes `sender` after every run. */
export function notifyListener(sender: Pick<Sender, 'wake'>): RunListener {
  return {
    onEvent(e) {
      if (isRunEnd(e)) sender.wake();
    },
  };
}
