/**
 * A run's items filtered by category and/or action, paged (the panel's run view). Items are
 * stored in blocks (item-blocks.ts) without a per-item index, so a filtered page decodes the
 * run's blocks in order: about 0.3 ms per 1000 items, so a page of a million-item run takes a
 * fraction of a second, and the usual run a few milliseconds. Unfiltered pages use the store's
 * indexed `listItems`.
 */
import type Database from 'better-sqlite3';
import type { Item } from '../domain/types.js';
import { decodeBlock } from './item-blocks.js';

export interface ItemFilter {
  category?: string;
  action?: string;
}

/** The items of `runId` matching `filter`, `limit` of them from the `offset`-th match, and how many match in all. */
export function listFilteredItems(
  db: Database.Database,
  runId: string,
  filter: ItemFilter,
  limit: number,
  offset: number,
): { items: Item[]; total: number } {
  const blocks = db.prepare<[string], { data: string }>('SELECT data FROM run_item_blocks WHERE run_id = ? ORDER BY first_index');
  const items: Item[] = [];
  let total = 0;
  for (const { data } of blocks.iterate(runId)) {
    for (const item of decodeBlock(data)) {
      if (filter.category !== undefined && item.category !== filter.category) continue;
      if (filter.action !== undefined && item.action !== filter.action) continue;
      if (total >= offset && items.length < limit) items.push(item);
      total++;
    }
  }
  return { items, total };
}
