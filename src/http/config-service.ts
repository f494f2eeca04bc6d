/**
 * The running service's editable configuration (issue 14): what `GET/PUT /config` show and
 * change. A change is checked by loadSettings itself (the same schemas and checks as the config
 * file at start), persisted, recorded (who, when, what), then applied without a restart: the
 * live settings are swapped and listeners (the scheduler) re-armed.
 *
 * Where a change is kept (precedence, lowest first: defaults < config file < saved in the state
 * database < environment < request body):
 * - the config file, when the service was started with one that is a regular file it may write
 *   (replaced atomically; its root, paths and tables are left as they are), and the state
 *   database's saved copy is cleared;
 * - else the state database (`config_overlay`), applied over the file at every start.
 * Root, paths and tables are never taken from an edit; a running service keeps its own.
 */
import { accessSync, constants, lstatSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  checkEditable,
  diffConfig,
  type EditableConfig,
  editablePart,
  effectiveEditable,
  FIXED_SETTINGS,
  withEditable,
} from '../config/editable.js';
import { ConfigError, type LoadOptions, loadSettings, type Settings } from '../config/settings.js';
import { type ConfigChange, type ConfigStore, createConfigStore, type FieldChange } from '../store/config-store.js';
import type { Stats } from '../domain/types.js';
import type { StateStore } from '../store/types.js';

export interface ConfigServiceDeps {
  /** The settings the service runs with (loaded with `load`, plus any saved configuration). */
  settings: Settings;
  /** How the settings were loaded (environment, --root, --config, cwd); reused for every reload. */
  load: LoadOptions;
  store: StateStore;
}

/** Which setting an environment variable holds, so the panel neither shows nor saves a value the environment overrides. */
const ENV_KEYS: Readonly<Record<string, string>> = { schedule: 'CLEANUP_SCHEDULE', timezone: 'CLEANUP_TZ' };

export interface ConfigView {
  config: Record<string, unknown>;
  persisted_to: 'file' | 'state';
  config_file: string | null;
  /** Settings the environment sets (they win over the panel): field -> variable. */
  env_overrides: Record<string, string>;
  updated_at: string | null;
}

/** A checked change, not yet applied. */
export interface ConfigCandidate {
  settings: Settings;
  stored: Record<string, unknown>;
  changes: FieldChange[];
  target: 'file' | 'state';
}

export interface ConfigService {
  /** The live settings: every run reads them when it starts. */
  current(): Settings;
  view(): ConfigView;
  /** Checks a full editable configuration (PUT body); throws ConfigError naming the field (`body.<field> …`). Changes nothing. */
  check(body: EditableConfig): ConfigCandidate;
  /** Persists, records and applies a checked change; listeners run with the new settings. */
  apply(candidate: ConfigCandidate, who: { actor: string; remote: string | null }): ConfigChange | null;
  history(limit: number, offset: number): { changes: ConfigChange[]; total: number };
  /** The last real run's stats, or null. */
  lastRealStats(): Stats | null;
  /** Calls `listener` with the new settings after each applied change. */
  onChange(listener: (settings: Settings) => void): void;
}

/** Creates the service around the running settings. */
export function createConfigService(deps: ConfigServiceDeps): ConfigService {
  let settings = deps.settings;
  // Prepared on first use: the OpenAPI generator builds the app over no database.
  let prepared: ConfigStore | null = null;
  const configStore = (): ConfigStore => (prepared ??= createConfigStore(deps.store.database()));
  const listeners: ((s: Settings) => void)[] = [];
  const envOverrides = () =>
    Object.fromEntries(Object.entries(ENV_KEYS).filter(([, v]) => nonEmpty(deps.load.env[v]))) as Record<string, string>;

  /** The editable keys as persisted now: the file's, with the state database's saved copy over them. */
  function stored(): Record<string, unknown> {
    const file = settings.configFile ? editablePart(readJsonObject(settings.configFile)) : {};
    return { ...file, ...(configStore().saved()?.data ?? {}) };
  }

  function check(body: EditableConfig): ConfigCandidate {
    const before = stored();
    const target = persistTarget(settings.configFile);
    let next: Record<string, unknown>;
    let reloaded: Settings;
    try {
      next = withEnvKeys(checkEditable(body, 'body') as Record<string, unknown>, before, deps.load.env);
      reloaded =
        target === 'file' && settings.configFile
          ? loadSettings({ ...deps.load, configData: withEditable(readJsonObject(settings.configFile), next) })
          : loadSettings({ ...deps.load, overlay: next });
    } catch (err) {
      throw err instanceof ConfigError ? new ConfigError(namedField(err.message)) : err;
    }
    const fixed = Object.fromEntries(FIXED_SETTINGS.map((k) => [k, settings[k]]));
    const candidate = Object.freeze({ ...reloaded, ...fixed }) as Settings;
    const changes = diffConfig(effectiveEditable(settings, before), effectiveEditable(candidate, next));
    return { settings: candidate, stored: next, changes, target };
  }

  function apply(c: ConfigCandidate, who: { actor: string; remote: string | null }): ConfigChange | null {
    if (c.changes.length === 0) return null;
    if (c.target === 'file' && settings.configFile) writeJsonAtomically(settings.configFile, withEditable(readJsonObject(settings.configFile), c.stored));
    const change = configStore().save(c.target === 'state' ? c.stored : null, {
      changed_at: new Date().toISOString(),
      actor: who.actor,
      remote: who.remote,
      persisted_to: c.target,
      changes: c.changes,
    });
    settings = c.settings;
    for (const l of listeners) l(settings);
    return change;
  }

  return {
    current: () => settings,
    view: () => ({
      config: effectiveEditable(settings, stored()),
      persisted_to: persistTarget(settings.configFile),
      config_file: settings.configFile,
      env_overrides: envOverrides(),
      updated_at: configStore().history(1, 0).changes[0]?.changed_at ?? null,
    }),
    check,
    apply,
    history: (limit, offset) => configStore().history(limit, offset),
    lastRealStats: () => deps.store.lastRealRun()?.stats ?? null,
    onChange: (l) => void listeners.push(l),
  };
}

/**
 * A key the environment sets cannot be changed here: its value in the body must be the
 * environment's (the panel sends back what it was shown) and the persisted value is kept.
 */
function withEnvKeys(body: Record<string, unknown>, before: Record<string, unknown>, env: LoadOptions['env']): Record<string, unknown> {
  const next = { ...body };
  for (const [key, variable] of Object.entries(ENV_KEYS)) {
    const value = nonEmpty(env[variable]);
    if (value === undefined) continue;
    if (next[key] !== undefined && next[key] !== value) {
      throw new ConfigError(`body.${key} is set by the environment variable ${variable}, which wins over the panel; unset ${variable} to change it here`);
    }
    if (before[key] === undefined) delete next[key];
    else next[key] = before[key];
  }
  return next;
}

const FIELDS = /\b(backup_retention(?:\.[^\s"]+)?|[a-z]+_age_(?:days|hours)|protect|schedule|timezone)\b/;

/** loadSettings names the key in its own words; the API's messages start with `body.<field>` so the panel can place them. */
function namedField(message: string): string {
  if (message.startsWith('body.')) return message;
  const text = message.replace(/^(saved configuration|config file [^:]+|body):\s*/, '');
  const field = FIELDS.exec(text)?.[1];
  return field ? `body.${field}: ${text}` : `body: ${text}`;
}

/** `file` when the config file is a regular file (not a link) that the service may replace; else `state`. */
export function persistTarget(configFile: string | null): 'file' | 'state' {
  if (!configFile) return 'state';
  try {
    if (!lstatSync(configFile).isFile()) return 'state';
    accessSync(configFile, constants.W_OK);
    accessSync(path.dirname(configFile), constants.W_OK);
    return 'file';
  } catch {
    return 'state';
  }
}

function readJsonObject(file: string): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`config file ${file} cannot be read as JSON (${(err as Error).message}); fix it on disk first`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  return data as Record<string, unknown>;
}

/** Writes next to the file, flushes, then renames over it: a crash leaves the old file or the new one, never half of one. */
function writeJsonAtomically(file: string, data: Record<string, unknown>): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const mode = lstatSync(file).mode & 0o777;
  rmSync(tmp, { force: true });
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode, flag: 'wx', flush: true });
  renameSync(tmp, file);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
