/**
 * The original worker's summary block (SPEC section 6, line for line), as plain text. It lives
 * here, on the ground floor, because the CLI prints it and the email notification repeats it:
 * both read the same lines from one builder.
 */
import { CATEGORY_LIST, type CategoryDescriptor } from './categories/index.js';
import type { Stats } from './types.js';

/** A count from stats that may come from a run recorded with other categories. */
export const countOf = (stats: Stats, d: CategoryDescriptor): number => (stats as Record<string, number>)[d.statKey] ?? 0;

/** The original worker's summary block, exactly (real runs): one line per category of `list`, ending in a newline. */
export function renderSummary(stats: Stats, list: readonly CategoryDescriptor[] = CATEGORY_LIST): string {
  return [
    'Cleanup Summary:',
    ...list.map((d) => `  ${d.summary.done}: ${countOf(stats, d)}`),
    `  Space freed: ${stats.space_freed_mb.toFixed(2)} MB`,
    '',
  ].join('\n');
}
