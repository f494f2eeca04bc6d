/**
 * The brakes' rules, pure (no fs, no database, no clock): is a planned run unusual (far beyond
 * its history and its category), over a hard cap, or is the clock not to be trusted? Each
 * returns sentences a person can read, naming the category and the numbers.
 */
import type { Amount, BrakeHistory, LastClock, Limits, RunCaps } from '../../domain/limits.js';
import { formatBytes as formatSize } from '../../domain/format.js';
import type { Trigger } from '../../domain/types.js';


const amount = (a: Amount, files: boolean) => (files ? `${a.items} items (${formatSize(a.bytes)})` : `${a.items} rows`);

/** The hard caps the plan is over (`limits.max_items_per_run` …, whole run and per category). */
export function capsExceeded(planned: ReadonlyMap<string, Amount>, limits: Limits): string[] {
  const out: string[] = [];
  const total: Amount = { items: 0, bytes: 0 };
  for (const a of planned.values()) {
    total.items += a.items;
    total.bytes += a.bytes;
  }
  out.push(...overCaps('the run', total, limits.run, 'limits'));
  for (const [category, caps] of Object.entries(limits.categories)) {
    const a = planned.get(category);
    if (a) out.push(...overCaps(category, a, caps, `limits.categories.${category}`));
  }
  return out;
}

function overCaps(what: string, a: Amount, caps: RunCaps, key: string): string[] {
  const out: string[] = [];
  if (caps.maxItems !== undefined && a.items > caps.maxItems) out.push(`${what} would remove ${a.items} items, over ${key}.max_items_per_run ${caps.maxItems}`);
  if (caps.maxBytes !== undefined && a.bytes > caps.maxBytes) out.push(`${what} would remove ${formatSize(a.bytes)}, over ${key}.max_bytes_per_run ${formatSize(caps.maxBytes)}`);
  return out;
}

/** True when a category's plan is far beyond the largest recent run: more than `historyFactor` times it, in items or bytes. */
export function beyondHistory(planned: Amount, largest: Amount | undefined, limits: Limits): boolean {
  if (planned.items < Math.max(1, limits.minItems)) return false;
  const l = largest ?? { items: 0, bytes: 0 };
  return planned.items > limits.historyFactor * l.items || planned.bytes > limits.historyFactor * l.bytes;
}

/** True when a category's plan is more than `holdingPercent` of what it holds, in items or bytes. */
export function beyondHolding(planned: Amount, held: Amount, limits: Limits): boolean {
  const share = limits.holdingPercent / 100;
  return planned.items > share * held.items || (held.bytes > 0 && planned.bytes > share * held.bytes);
}

/** The brake's sentence for one category beyond both. */
export function describeUnusual(category: string, planned: Amount, history: BrakeHistory, held: Amount, limits: Limits, files: boolean): string {
  const largest = history.largest[category] ?? { items: 0, bytes: 0 };
  const runs = `${history.runs} real ${history.trigger === 'any' ? '' : `${history.trigger} `}run${history.runs === 1 ? '' : 's'}`;
  const of = files ? `${held.items} files (${formatSize(held.bytes)})` : `${held.items} rows`;
  return (
    `${category}: ${amount(planned, files)} planned, more than ${limits.historyFactor} × the largest of the last ${runs} ` +
    `(${amount(largest, files)}) and more than ${limits.holdingPercent} % of what ${category} holds (${of})`
  );
}

/** A clock that cannot be trusted, relative to the last real run; null when it looks right. */
export interface ClockJump {
  kind: 'backwards' | 'ahead';
  /** One sentence naming both instants. */
  text: string;
}

/**
 * The clock check (issue 15 section 2): `now` earlier than the last real run's clock, or later
 * than that run plus the schedule's period plus the margin (only when the last real run was a
 * scheduled one, or this run is: a manual run a month after the last manual one is no jump).
 */
export function checkClock(now: number, last: LastClock | null, trigger: Trigger, limits: Limits): ClockJump | null {
  if (!last) return null;
  const at = new Date(last.clockMs).toISOString();
  if (now < last.clockMs) {
    return { kind: 'backwards', text: `the clock (${new Date(now).toISOString()}) is earlier than the last real run (${at})` };
  }
  if (trigger !== 'schedule' && last.trigger !== 'schedule') return null;
  const allowed = (limits.schedulePeriodMs ?? 0) + limits.clockMarginMinutes * 60_000;
  if (now - last.clockMs <= allowed) return null;
  const hours = Math.round((now - last.clockMs) / 3_600_000);
  return {
    kind: 'ahead',
    text: `the clock (${new Date(now).toISOString()}) is ${hours} h after the last real run (${at}), more than the schedule's period plus limits.clock_margin_minutes (${limits.clockMarginMinutes})`,
  };
}
