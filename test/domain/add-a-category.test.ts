import { existsSync } from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { renderDryRun, renderSummary } from '../../src/cli/render.js';
import { retentionFieldsFor } from '../../src/config/schema.js';
import { emptyStats } from '../../src/domain/stats.js';
import { createEngine } from '../../src/engine/engine.js';
import { describePolicy } from '../../src/engine/planner.js';
import { categoryNameSchemaFor, StatsSchema, statsSchemaFor } from '../../src/http/schemas/common.js';
import { openStateStore } from '../../src/store/state-store.js';
import { silentLogger } from '../helpers/run-context.js';
import { screenshots, WITH_SCREENSHOTS } from '../helpers/screenshots-category.js';
import { DAY, makeTempDir, NOW, settingsFor, writeFileAt } from '../helpers/temp-root.js';

describe('a category added from one descriptor file', () => {
  it('appears in the API schemas: category enum, stats block and its age field', () => {
    const stats = { ...emptyStats(), screenshots_deleted: 2 };
    expect(Value.Check(statsSchemaFor(WITH_SCREENSHOTS), stats)).toBe(true);
    // The built-in schema would refuse (and the serializer drop) the new counter: it is derived, not written out.
    expect(Value.Check(StatsSchema, stats)).toBe(false);
    expect((categoryNameSchemaFor(WITH_SCREENSHOTS) as { enum?: string[] }).enum).toContain('screenshots');
    expect(Object.keys(retentionFieldsFor(WITH_SCREENSHOTS))).toContain('screenshot_age_days');
  });

  it('appears in the policy text and both CLI summaries', () => {
    const policy = settingsFor(makeTempDir()).policy;
    expect(describePolicy(policy, WITH_SCREENSHOTS).at(-1)).toBe('screenshots: delete screenshots modified more than 7 days ago');
    const stats = { ...emptyStats(WITH_SCREENSHOTS), screenshots_deleted: 2 };
    expect(renderSummary(stats, WITH_SCREENSHOTS)).toContain('  Temp files deleted: 0\n  Screenshots deleted: 2\n  Space freed: 0.00 MB\n');
    expect(emptyStats(WITH_SCREENSHOTS)).toMatchObject({ screenshots_deleted: 0 });
  });

  it('runs: deletes screenshots older than 7 days, keeps newer ones, and counts them', async () => {
    const root = makeTempDir();
    writeFileAt(root, 'screenshots/old.png', NOW - 10 * DAY, 'x'.repeat(2048));
    writeFileAt(root, 'screenshots/new.png', NOW - 1 * DAY);
    writeFileAt(root, 'logs/app.log', NOW - 1 * DAY);
    const settings = settingsFor(root);
    const store = openStateStore(settings);
    try {
      const engine = createEngine({ settings, store, logger: silentLogger, categories: WITH_SCREENSHOTS });
      const preview = await engine.runOnce({ trigger: 'cli', dryRun: true, now: NOW });
      expect(renderDryRun(preview, root, describePolicy(settings.policy, WITH_SCREENSHOTS), 10, WITH_SCREENSHOTS)).toContain(
        'Screenshots: 1 would be deleted (2.0 KB)\n  screenshots/old.png (2.0 KB): modified 10 days ago, limit 7 days\n',
      );
      const r = await engine.runOnce({ trigger: 'cli', dryRun: false, now: NOW });
      expect(r.items).toEqual([
        { category: 'screenshots', target: 'screenshots/old.png', bytes: 2048, action: 'delete', reason: 'modified 10 days ago, limit 7 days' },
      ]);
      expect((r.stats as Record<string, number>)[screenshots.statKey]).toBe(1);
      expect(existsSync(path.join(root, 'screenshots/old.png'))).toBe(false);
      expect(existsSync(path.join(root, 'screenshots/new.png'))).toBe(true);
      expect(existsSync(path.join(root, 'logs/app.log'))).toBe(true);
    } finally {
      store.close();
    }
  });
});
