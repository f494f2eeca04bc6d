/**
 * The part of the settings the engine uses: where to clean and by which rules. Not the API
 * token, the host and port, the schedule or the log level: what the engine is never given it
 * can neither leak into a run's record nor come to depend on.
 */
import type { Settings } from './settings.js';

export type EngineSettings = Readonly<Pick<Settings, 'root' | 'paths' | 'policy' | 'protect' | 'tables' | 'timezone' | 'backupArchive' | 'archivePolicy' | 'trash' | 'limits'>>;

/** The engine's settings out of the whole: a new frozen object holding only those keys. */
export function engineSettingsOf(settings: EngineSettings): EngineSettings {
  const { root, paths, policy, protect, tables, timezone, backupArchive, archivePolicy, limits } = settings;
  // Settings built before the trash existed (tests, tools) have no `trash`: off.
  const trash = settings.trash ?? null;
  return Object.freeze({ root, paths, policy, protect, tables, timezone, backupArchive, archivePolicy, trash, limits });
}
