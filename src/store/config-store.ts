/**
 * The panel's configuration in the state database: the saved editable settings (when there is
 * no writable config file to hold them) and the history of every change (who, when, what).
 * Values are stored as JSON exactly as validated by the caller; this module checks nothing.
 */
import type Database from 'better-sqlite3';

/** One changed setting: a dotted field name (`backup_retention.prod`) and its values before and after (absent = undefined). */
export interface FieldChange {
  field: string;
  from?: unknown;
  to?: unknown;
}

export interface ConfigChange {
  id: number;
  changed_at: string;
  /** `token` (the holder of CLEANUP_API_TOKEN) or `local` (a loopback client, no token configured). */
  actor: string;
  /** The client address. */
  remote: string | null;
  /** Where the change was saved: the config `file` or the `state` database. */
  persisted_to: 'file' | 'state';
  changes: FieldChange[];
}

export interface SavedConfig {
  data: Record<string, unknown>;
  updated_at: string;
}

export interface ConfigStore {
  /** The editable settings saved in the state database, or null. */
  saved(): SavedConfig | null;
  /** Replaces (or with null clears) the saved settings and records the change, in one transaction. */
  save(data: Record<string, unknown> | null, change: Omit<ConfigChange, 'id'>): ConfigChange;
  /** The change history, newest first. */
  history(limit: number, offset: number): { changes: ConfigChange[]; total: number };
}

interface ChangeRow {
  id: number;
  changed_at: string;
  actor: string;
  remote: string | null;
  persisted_to: string;
  changes: string;
}

/** Prepares the statements on the (migrated) state database. */
export function createConfigStore(db: Database.Database): ConfigStore {
  const q = {
    get: db.prepare<[], { data: string; updated_at: string }>('SELECT data, updated_at FROM config_overlay WHERE id = 1'),
    put: db.prepare('INSERT OR REPLACE INTO config_overlay (id, data, updated_at) VALUES (1, ?, ?)'),
    clear: db.prepare('DELETE FROM config_overlay WHERE id = 1'),
    record: db.prepare('INSERT INTO config_changes (changed_at, actor, remote, persisted_to, changes) VALUES (?, ?, ?, ?, ?)'),
    count: db.prepare<[], number>('SELECT count(*) FROM config_changes').pluck(),
    list: db.prepare<[number, number], ChangeRow>('SELECT * FROM config_changes ORDER BY id DESC LIMIT ? OFFSET ?'),
  };
  const save = db.transaction((data: Record<string, unknown> | null, c: Omit<ConfigChange, 'id'>): ConfigChange => {
    if (data) q.put.run(JSON.stringify(data), c.changed_at);
    else q.clear.run();
    const id = Number(q.record.run(c.changed_at, c.actor, c.remote, c.persisted_to, JSON.stringify(c.changes)).lastInsertRowid);
    return { id, ...c };
  });
  return {
    saved() {
      const row = q.get.get();
      return row ? { data: JSON.parse(row.data) as Record<string, unknown>, updated_at: row.updated_at } : null;
    },
    save: (data, change) => save.immediate(data, change),
    history(limit, offset) {
      const changes = q.list.all(limit, offset).map((r) => ({
        id: r.id,
        changed_at: r.changed_at,
        actor: r.actor,
        remote: r.remote,
        persisted_to: r.persisted_to as ConfigChange['persisted_to'],
        changes: JSON.parse(r.changes) as FieldChange[],
      }));
      return { changes, total: q.count.get() ?? 0 };
    },
  };
}
