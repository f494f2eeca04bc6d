/**
 * Keeps `run_category_totals` (items and bytes per category of each run) in step with the
 * run's items, inside the same transaction that appends them. Summed in JavaScript over the
 * batch (about 10 µs per 1000 items) rather than by a trigger decoding the block's JSON.
 */
import type Database from 'better-sqlite3';
import type { Item } from '../domain/types.js';

export interface CategoryTotals {
  /**
   * Adds a batch's counted items to its run's per-category totals: what left its place (delete,
   * archive, trash) counts as an item, what freed space (delete, archive, purge) counts its bytes;
   * `rmdir` and `restore` count neither (README, Trash and restore: trashed bytes are freed when purged).
   */
  add(runId: string, items: readonly Item[]): void;
}

/** Prepares the upsert on `db` (the state database, migrated). */
export function prepareCategoryTotals(db: Database.Database): CategoryTotals {
  const upsert = db.prepare(
    `INSERT INTO run_category_totals (run_id, category, items, bytes) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id, category) DO UPDATE SET items = items + excluded.items, bytes = bytes + excluded.bytes`,
  );
  return {
    add(runId, items) {
      const sums = new Map<string, { items: number; bytes: number }>();
      for (const i of items) {
        if (i.action === 'rmdir' || i.action === 'restore') continue;
        const s = sums.get(i.category) ?? { items: 0, bytes: 0 };
        if (i.action !== 'purge') s.items++;
        if (i.action !== 'trash') s.bytes += i.bytes;
        sums.set(i.category, s);
      }
      for (const [category, s] of sums) upsert.run(runId, category, s.items, s.bytes);
    },
  };
}
