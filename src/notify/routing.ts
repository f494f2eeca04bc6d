/**
 * Which channels an event goes to, from the config of the process that expands it: a webhook
 * gets the events it lists (dry runs only with `include_dry_runs`; `run.finished` only when the
 * run freed at least `min_space_freed_mb`); email follows `on` (`failure`, `always`, or
 * `freed_over_mb`: failures plus real runs that freed more than `freed_over_mb`) and never
 * reports a dry run. A `test` event goes to every webhook and to email.
 */
import type { NotificationSettings } from '../config/settings.js';
import { isFailure, type OutboxEvent } from '../domain/notifications.js';
import type { Channel } from '../store/outbox.js';

/** The target of the email channel (the recipients are read from the config at send time). */
export const EMAIL_TARGET = 'email';

export interface Target {
  channel: Channel;
  target: string;
}

/** The deliveries `event` needs; hooks in `disabled` (a 410 turned them off) get none. */
export function targetsFor(event: OutboxEvent, n: NotificationSettings, disabled: ReadonlySet<string>): Target[] {
  if (event.type === 'test') {
    return [...n.webhooks.map((w) => ({ channel: 'webhook' as const, target: w.url })), ...(n.email ? [{ channel: 'email' as const, target: EMAIL_TARGET }] : [])];
  }
  const run = event.run;
  const freed = run?.stats.space_freed_mb ?? 0;
  const targets: Target[] = n.webhooks
    .filter((w) => !disabled.has(w.url) && w.events.includes(event.type as never))
    .filter((w) => !run?.dry_run || w.includeDryRuns)
    .filter((w) => event.type !== 'run.finished' || freed >= w.minSpaceFreedMb)
    .map((w) => ({ channel: 'webhook', target: w.url }));
  const email = n.email;
  if (email && !run?.dry_run) {
    const failure = isFailure(event.type, run);
    const wanted = email.on === 'always' || failure || (email.on === 'freed_over_mb' && event.type === 'run.finished' && freed > email.freedOverMb);
    if (wanted) targets.push({ channel: 'email', target: EMAIL_TARGET });
  }
  return targets;
}
