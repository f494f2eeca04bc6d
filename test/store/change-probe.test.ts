/** The change probe behind the /status caches: stable while nothing commits, different after any commit. */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createChangeProbe } from '../../src/store/change-probe.js';
import { makeTempDir } from '../helpers/temp-root.js';

function walDb(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

describe('change probe', () => {
  it('reads the wal-index of a WAL database: the same answer until a connection commits, a new one after each commit', () => {
    const file = path.join(makeTempDir(), 'state.db');
    const a = walDb(file);
    a.exec('CREATE TABLE t (x INTEGER)');
    const b = walDb(file);
    const probe = createChangeProbe(a);
    expect(probe.cheap).toBe(true);
    const v0 = probe.version();
    expect(probe.version()).toBe(v0);
    // Reads and empty transactions commit nothing.
    b.prepare('SELECT count(*) FROM t').get();
    b.prepare('UPDATE t SET x = 1 WHERE x = 42').run();
    expect(probe.version()).toBe(v0);
    const seen = new Set([v0]);
    for (let i = 0; i < 5; i++) {
      (i % 2 ? a : b).prepare('INSERT INTO t VALUES (?)').run(i);
      if (i === 3) b.pragma('wal_checkpoint(TRUNCATE)');
      const v = probe.version();
      expect(seen.has(v)).toBe(false);
      seen.add(v);
      expect(probe.version()).toBe(v);
    }
    probe.bump();
    expect(seen.has(probe.version())).toBe(false);
    probe.close();
    probe.close();
    a.close();
    b.close();
  });

  it('changes on every call where it cannot read a wal-index (memory or rollback-journal database): no caching', () => {
    const mem = new Database(':memory:');
    const journal = new Database(path.join(makeTempDir(), 'j.db'));
    for (const db of [mem, journal]) {
      const probe = createChangeProbe(db);
      expect(probe.cheap).toBe(false);
      expect(probe.version()).not.toBe(probe.version());
      probe.close();
      db.close();
    }
  });
});
