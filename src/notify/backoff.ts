/**
 * Retry timing: exponential from `baseMs` (1 min) doubling to `maxMs` (6 h), each delay jittered
 * by ±20 % so hooks that failed together do not retry together; after `maxAttempts` attempts the
 * delivery is dead. With the defaults: 11 attempts over about 14 hours (1, 2, 4 … 256 min, 6 h).
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({ baseMs: 60_000, maxMs: 6 * 3_600_000, maxAttempts: 11 });

/** The wait before the next attempt after `attempts` failed ones (≥ 1), or null when the delivery is dead. */
export function retryDelay(attempts: number, policy: BackoffPolicy, random: () => number = Math.random): number | null {
  if (attempts >= policy.maxAttempts) return null;
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(Math.min(policy.maxMs, exp * (0.8 + 0.4 * random())));
}
