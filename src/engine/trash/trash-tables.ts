/**
 * The copies of one source table in trash.db: the table named like it and its later versions
 * (`<table>_v2`, …: engine/db/archive-table.ts), each with the bookkeeping columns
 * `_cleanup_source_rowid` and `_cleanup_run_id`. Purge and restore read them by run.
 */
import type Database from 'better-sqlite3';
import { DIGEST, RUN_ID, SOURCE_ROWID } from '../db/archive-table.js';
import { quoteIdent } from '../db/open.js';
import { JOURNAL_TABLES } from './journal.js';

/** A version of a table's copies: its name and its own columns (the source's, bookkeeping left out). */
export interface TrashVersion {
  name: string;
  columns: string[];
}

/** The versions of `table`'s copies in the database `schema` of `db` (the journal's own tables never count). */
export function trashVersions(db: Database.Database, table: string, schema = 'main'): TrashVersion[] {
  const names = db.prepare(`SELECT name FROM ${schema}.sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[];
  const lower = table.toLowerCase();
  const out: TrashVersion[] = [];
  for (const name of names) {
    const n = name.toLowerCase();
    if (JOURNAL_TABLES.includes(n) || (n !== lower && !new RegExp(`^${escapeRegExp(lower)}_v\\d+$`).test(n))) continue;
    const cols = (db.prepare(`SELECT name FROM pragma_table_info(?, ?)`).pluck().all(name, schema) as string[]);
    const have = new Set(cols.map((c) => c.toLowerCase()));
    if (!have.has(SOURCE_ROWID) || !have.has(RUN_ID)) continue;
    out.push({ name, columns: cols.filter((c) => ![SOURCE_ROWID, RUN_ID, DIGEST].includes(c.toLowerCase())) });
  }
  return out;
}

/** Runs `fn` on batches of (trash rowid, source rowid) of run `runId`'s copies in `version`. */
export function runCopies(db: Database.Database, version: string, runId: string, schema = 'main'): Array<{ tid: bigint; sid: bigint }> {
  return db
    .prepare(`SELECT rowid AS tid, ${quoteIdent(SOURCE_ROWID)} AS sid FROM ${schema}.${quoteIdent(version)} WHERE ${quoteIdent(RUN_ID)} = ? ORDER BY rowid`)
    .safeIntegers(true)
    .all(runId) as Array<{ tid: bigint; sid: bigint }>;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
