/**
 * Environment folders match retention keys case-insensitively (SPEC 1, issue 10 item 9): a key in
 * the config or a request replaces the default spelled another way, and one object naming the
 * same environment twice is refused.
 */
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../src/config/settings.js';
import { retentionFor } from '../../src/engine/planner.js';
import { makeTempDir, settingsFor } from '../helpers/temp-root.js';

describe('backup_retention keys and case', () => {
  it('{"QA": 2} over the default qa: 5 keeps 2 in backups/qa/', () => {
    const policy = resolvePolicy(settingsFor(makeTempDir()), { backup_retention: { QA: 2 } });
    expect(retentionFor(policy, 'qa')).toBe(2);
    expect(retentionFor(policy, 'QA')).toBe(2);
    expect(retentionFor(policy, 'prod')).toBe(10);
  });

  it('a key spelled DEFAULT sets the count of every environment not named', () => {
    const policy = resolvePolicy(settingsFor(makeTempDir()), { backup_retention: { DEFAULT: 7 } });
    expect(retentionFor(policy, 'staging')).toBe(7);
    expect(retentionFor(policy, 'prod')).toBe(10);
  });

  it('refuses prod and PROD in one object, naming both', () => {
    expect(() => resolvePolicy(settingsFor(makeTempDir()), { backup_retention: { prod: 3, PROD: 20 } })).toThrow(
      /backup_retention\.prod and backup_retention\.PROD name the same environment/,
    );
  });
});
