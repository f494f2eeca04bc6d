/** The engine receives only the settings it uses (issue 11): no API token, host or port in a run. */
import { describe, expect, it } from 'vitest';
import type { CategoryHandler, RunContext } from '../../src/engine/context.js';
import { createEngine } from '../../src/engine/engine.js';
import { openStateStore } from '../../src/store/state-store.js';
import { silentLogger } from '../helpers/run-context.js';
import { makeTempDir, NOW, settingsFor } from '../helpers/temp-root.js';

describe('engine settings', () => {
  it('hands its handlers only root, paths, policy, protect, tables, the time zone, the backup archive, trash and limits settings, even when given the whole settings', async () => {
    const root = makeTempDir();
    const settings = settingsFor(root, { CLEANUP_API_TOKEN: 'secret-token-0123456789', PORT: '4123' });
    expect(settings.apiToken).toBe('secret-token-0123456789');
    let seen: RunContext['settings'] | null = null;
    const spy: CategoryHandler = {
      category: 'logs',
      async run(ctx) {
        seen = ctx.settings;
      },
    };
    const store = openStateStore(settings);
    const r = await createEngine({ settings, store, logger: silentLogger, handlers: [spy] }).runOnce({ trigger: 'api', dryRun: true, now: NOW });
    expect(Object.keys(seen ?? {}).sort()).toEqual(['archivePolicy', 'backupArchive', 'limits', 'paths', 'policy', 'protect', 'root', 'tables', 'timezone', 'trash']);
    expect(JSON.stringify(seen)).not.toContain('secret-token');
    expect(JSON.stringify(store.getRun(r.run_id)?.settings)).not.toContain('secret-token');
    store.close();
  });
});
