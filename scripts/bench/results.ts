/** The shapes every goal returns, and helpers to build their pass/fail checks. */

export interface Check {
  /** What is checked, in words ("time vs find", "peak RSS"). */
  name: string;
  /** Median engine-side figure. */
  engine: number;
  /** Median reference figure (null for absolute limits). */
  reference: number | null;
  /** engine / reference, or the engine figure itself for absolute limits. */
  measured: number;
  unit: string;
  op: '<=' | '<' | '>=';
  limit: number;
  pass: boolean;
}

export interface GoalResult {
  goal: string;
  title: string;
  checks: Check[];
  /** Per-repetition raw figures, engine and reference side by side. */
  runs: unknown[];
  notes: string[];
}

/** A ratio check: engine / reference against a limit. */
export function ratioCheck(name: string, engine: number, reference: number, op: Check['op'], limit: number, unit = 'x'): Check {
  const measured = reference > 0 ? engine / reference : Number.NaN;
  return { name, engine, reference, measured, unit, op, limit, pass: compare(measured, op, limit) };
}

/** An absolute check: the engine figure itself against a limit. */
export function absCheck(name: string, engine: number, op: Check['op'], limit: number, unit: string): Check {
  return { name, engine, reference: null, measured: engine, unit, op, limit, pass: compare(engine, op, limit) };
}

function compare(v: number, op: Check['op'], limit: number): boolean {
  if (!Number.isFinite(v)) return false;
  return op === '<=' ? v <= limit : op === '<' ? v < limit : v >= limit;
}

/** Logs a progress line to stderr (stdout carries the final table). */
export function say(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}
