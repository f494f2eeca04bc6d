/** Small statistics helpers: medians, percentiles, ratios, rounding for the report. */

/** The median of a list (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile (p in 0..100) of an already sorted list; NaN when empty. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** p50/p99/max/count of a list of latencies (ms). */
export function summarizeLatencies(values: readonly number[]): LatencySummary {
  const s = Float64Array.from(values).sort();
  const arr = Array.from(s);
  return {
    count: arr.length,
    p50: round(percentileSorted(arr, 50)),
    p99: round(percentileSorted(arr, 99)),
    max: round(arr.length ? (arr[arr.length - 1] as number) : Number.NaN),
  };
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Rounds to `digits` decimals (NaN stays NaN). */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** a / b rounded, NaN when either side is missing. */
export function ratio(a: number, b: number): number {
  return b > 0 && Number.isFinite(a) ? round(a / b, 2) : Number.NaN;
}
