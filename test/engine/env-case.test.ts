/**
 * Environment folder names match the retention keys case-insensitively (issue 10 item 9,
 * SPEC 1: `backups/PROD/` is `prod`). Each folder ranks on its own: `PROD/` and `prod/` each
 * keep their N newest. Reasons name the folder as it is spelled.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { backupsHandler } from '../../src/engine/categories/backups.js';
import { retentionFor } from '../../src/engine/planner.js';
import type { Policy } from '../../src/engine/types.js';
import { runHandler } from '../helpers/fs-fixtures.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

/** `n` backups in `backups/<env>/`, one a day back from `from` (names hold the timestamp). */
function backups(root: string, env: string, n: number, from = NOW - DAY): string[] {
  return Array.from({ length: n }, (_, i) => {
    const ts = new Date(from - i * DAY).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
    const rel = `backups/${env}/architect_${ts}.db`;
    writeFileAt(root, rel, NOW - 100 * DAY);
    return rel;
  });
}

describe('environment folders differ from the retention keys by case only', () => {
  it('backups/PROD/ keeps prod\'s 10, not the default 5, and says PROD', async () => {
    const root = makeTempDir();
    const files = backups(root, 'PROD', 12);
    const r = await runHandler(backupsHandler, settingsFor(root));
    expect(r.items.map((i) => i.target).sort()).toEqual(files.slice(10).sort());
    expect(r.items.map((i) => i.reason)).toEqual(['older than the 10 most recent PROD backups', 'older than the 10 most recent PROD backups']);
    for (const f of files.slice(0, 10)) expect(existsSync(path.join(root, f)), f).toBe(true);
  });

  it('backups/Prod/ and backups/prod/ are two folders: each keeps its own 10 newest', async () => {
    const root = makeTempDir();
    // Interleaved ages: ranked together, the 10 newest of the union would keep only 5 of each.
    const upper = backups(root, 'Prod', 11, NOW - DAY);
    const lower = backups(root, 'prod', 11, NOW - DAY - 3_600_000);
    const r = await runHandler(backupsHandler, settingsFor(root));
    expect(r.items.map((i) => i.target).sort()).toEqual([upper[10], lower[10]].sort());
    expect(r.items.map((i) => i.reason).sort()).toEqual(['older than the 10 most recent Prod backups', 'older than the 10 most recent prod backups']);
  });

  it('a key set in another case than the folder applies to it (STAGING: 2 for backups/staging/)', async () => {
    const root = makeTempDir();
    const files = backups(root, 'staging', 4);
    const r = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: { STAGING: 2 } } });
    expect(r.items.map((i) => i.target).sort()).toEqual(files.slice(2).sort());
  });

  it('a folder named default is its own folder, not the files directly in backups/', async () => {
    const root = makeTempDir();
    const inFolder = backups(root, 'default', 3, NOW - DAY);
    const direct = backups(root, '', 3, NOW - DAY - 3_600_000).map((f) => f.replace('backups//', 'backups/'));
    const r = await runHandler(backupsHandler, settingsFor(root), { overrides: { backup_retention: 3 } });
    expect(r.items).toEqual([]);
    for (const f of [...inFolder, ...direct]) expect(existsSync(path.join(root, f)), f).toBe(true);
  });
});

describe('retentionFor', () => {
  const policy = (r: Record<string, number>) => ({ backupRetention: { default: 5, ...r } }) as unknown as Policy;

  it('matches keys case-insensitively; the largest count wins when several match', () => {
    expect(retentionFor(policy({ prod: 10 }), 'PROD')).toBe(10);
    expect(retentionFor(policy({ prod: 10 }), 'pRoD')).toBe(10);
    expect(retentionFor(policy({ prod: 10, PROD: 20 }), 'prod')).toBe(20);
    expect(retentionFor(policy({ prod: 10, PROD: 3 }), 'Prod')).toBe(10);
    expect(retentionFor(policy({ prod: 10 }), 'production')).toBe(5);
    expect(retentionFor(policy({}), 'DEFAULT')).toBe(5);
  });

  it('still refuses a count below 1 for a matching key', () => {
    expect(() => retentionFor(policy({ QA: 0 }), 'qa')).toThrow(/>= 1/);
  });
});
