/**
 * State-database migrations of the panel (issue 14), appended to state-store.ts's list:
 * per-run, per-category totals (so "space freed over time" is one indexed aggregate over the
 * runs, never a decode of every item block), a time index on the runs, the panel's saved
 * configuration and its change history.
 */

/** Run in order after the store's own migrations; never edit one that has shipped, add another. */
export const PANEL_MIGRATIONS: readonly string[] = [
  // Items and bytes per category of each run (rmdir items are listed, never counted, SPEC 3.8).
  // Filled by appendItems from now on; the existing history is backfilled once from its blocks.
  // IF NOT EXISTS / OR IGNORE: a database rolled back to an older user_version (tests rebuild old
  // layouts that way) migrates again without failing on the objects this step already made.
  `CREATE TABLE IF NOT EXISTS run_category_totals (
     run_id TEXT NOT NULL,
     category TEXT NOT NULL,
     items INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     PRIMARY KEY (run_id, category)
   ) WITHOUT ROWID;
   INSERT OR IGNORE INTO run_category_totals (run_id, category, items, bytes)
     SELECT b.run_id, json_extract(b.data, '$.keys[' || k.value || '][0]') AS category, count(*),
            sum(json_extract(b.data, '$.b[' || k.key || ']'))
       FROM run_item_blocks b, json_each(b.data, '$.k') k
      WHERE json_extract(b.data, '$.keys[' || k.value || '][1]') <> 'rmdir'
      GROUP BY b.run_id, category;
   CREATE INDEX IF NOT EXISTS runs_started ON runs (dry_run, started_at);
   CREATE TABLE IF NOT EXISTS config_overlay (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     data TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE IF NOT EXISTS config_changes (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     changed_at TEXT NOT NULL,
     actor TEXT NOT NULL,
     remote TEXT,
     persisted_to TEXT NOT NULL,
     changes TEXT NOT NULL
   );`,
];
