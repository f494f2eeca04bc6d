/** The stats of SPEC section 4, derived from the category list: one counter per category. */
import { CATEGORY_LIST, type CategoryDescriptor } from './categories/index.js';
import type { Category, StatKey, Stats } from './types.js';

/** Which stat each built-in category counts into. */
export const STAT_KEY: Readonly<Record<Category, StatKey>> = Object.freeze(
  Object.fromEntries(CATEGORY_LIST.map((d) => [d.name, d.statKey])) as Record<Category, StatKey>,
);

/** All-zero stats: one counter per category in `list`, in its order, then space_freed_mb. */
export function emptyStats(list: readonly CategoryDescriptor[] = CATEGORY_LIST): Stats {
  const stats: Record<string, number> = {};
  for (const d of list) stats[d.statKey] = 0;
  stats.space_freed_mb = 0;
  return stats as Stats;
}
