/**
 * The category handlers, derived from the category list: each descriptor names the strategy
 * that carries it out. A category with an existing strategy needs no line here.
 */
import { CATEGORY_LIST, type CategoryDescriptor, type Strategy } from '../domain/categories/index.js';
import type { RowCategory } from '../domain/types.js';
import { backupsHandler } from './categories/backups.js';
import { createFilesByAgeHandler } from './categories/files-by-age.js';
import { logsHandler } from './categories/logs.js';
import { tempHandler } from './categories/temp.js';
import type { CategoryHandler } from './context.js';
import { createRowHandler } from './db/row-cleanup.js';

const STRATEGIES: Readonly<Record<Strategy, (d: CategoryDescriptor) => CategoryHandler>> = {
  backups: () => backupsHandler,
  logs: () => logsHandler,
  temp: () => tempHandler,
  files: createFilesByAgeHandler,
  rows: (d) => createRowHandler(d.name as RowCategory),
};

/** One handler per category of `list`, in its order. */
export function handlersFor(list: readonly CategoryDescriptor[]): CategoryHandler[] {
  return list.map((d) => STRATEGIES[d.strategy](d));
}

/** The built-in categories' handlers, in run order. */
export const HANDLERS: readonly CategoryHandler[] = handlersFor(CATEGORY_LIST);
