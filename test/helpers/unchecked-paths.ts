/**
 * Settings whose paths skip the loader's checks. loadSettings refuses overlapping paths (SPEC
 * 3.12, test/config/paths-overlap.test.ts); the run-time checks in src/engine/fs/scope.ts stay as
 * a second line of defence, and these settings let tests reach them.
 */
import type { Paths, Settings } from '../../src/config/settings.js';
import { settingsFor } from './temp-root.js';

/** settingsFor(root) with `paths` merged in as given (no normalising, no overlap check). */
export function settingsPastLoader(root: string, paths: Partial<Paths>): Settings {
  const base = settingsFor(root);
  return Object.freeze({ ...base, paths: Object.freeze({ ...base.paths, ...paths }) });
}
