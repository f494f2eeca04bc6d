/**
 * Child: the plain-SQL references of goal 3, run the way a person at the sqlite3 prompt would:
 * - `delete-tasks`: one `DELETE FROM task_queue WHERE <finished> AND completed_at < cutoff`;
 * - `archive-prompts`: `ATTACH` the archive, then in one transaction `INSERT INTO archive.t
 *   SELECT ... WHERE created_at < cutoff` and the matching `DELETE`.
 * Same busy timeout as the engine (5 s), so both sides meet the writer on equal terms.
 */
import Database from 'better-sqlite3';
import { serveChild } from '../protocol.js';

export interface SqlJob {
  kind: 'delete-tasks' | 'archive-prompts';
  dbFile: string;
  /** Cutoff text in the column's own format. */
  cutoff: string;
  /** archive-prompts: the archive database file (created). */
  archiveFile?: string;
}

export interface SqlResult {
  wallMs: number;
  changes: number;
  maxRssMb: number;
}

serveChild<SqlJob, SqlResult>({
  async start(job) {
    const db = new Database(job.dbFile, { timeout: 5000 });
    const t0 = performance.now();
    let changes = 0;
    if (job.kind === 'delete-tasks') {
      changes = db
        .prepare(`DELETE FROM task_queue WHERE lower(status) IN ('completed', 'cancelled', 'canceled') AND completed_at < ?`)
        .run(job.cutoff).changes;
    } else {
      db.prepare('ATTACH DATABASE ? AS archive').run(job.archiveFile);
      db.exec('CREATE TABLE IF NOT EXISTS archive.assigner_prompts AS SELECT * FROM main.assigner_prompts WHERE 0');
      const copy = db.prepare('INSERT INTO archive.assigner_prompts SELECT * FROM main.assigner_prompts WHERE created_at < ?');
      const del = db.prepare('DELETE FROM main.assigner_prompts WHERE created_at < ?');
      db.transaction(() => {
        copy.run(job.cutoff);
        changes = del.run(job.cutoff).changes;
      }).immediate();
    }
    const wallMs = performance.now() - t0;
    db.close();
    return { info: { wallMs, changes, maxRssMb: process.resourceUsage().maxRSS / 1024 }, calls: { stop: () => null } };
  },
});
