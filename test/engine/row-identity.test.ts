import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { digestSql, registerRowDigest } from '../../src/engine/db/row-identity.js';

// Archives written by earlier versions hold these digests: the bytes hashed and the hex form must not change.
describe('row digest', () => {
  it('is the SHA-256 (hex) of the documented text: lower-case names sorted, NULLs left out, values as quote() writes them', () => {
    const db = new Database(':memory:');
    try {
      registerRowDigest(db);
      db.exec(`CREATE TABLE t ("B" TEXT, a INTEGER, c REAL, d BLOB, e TEXT); INSERT INTO t VALUES ('x''y', 7, 1.5, x'00ff', NULL)`);
      const got = db.prepare(`SELECT ${digestSql(['B', 'a', 'c', 'd', 'e'], '')} FROM t`).pluck().get();
      const text = "1:a=7;1:b='x''y';1:c=1.5;1:d=X'00FF';";
      expect(got).toBe(createHash('sha256').update(text).digest('hex'));
    } finally {
      db.close();
    }
  });
});
