/**
 * Settings in one place: defaults < config file < environment < flags/request body.
 * `loadSettings` is the only code that reads process.env (callers pass it in) and the
 * config file; the result is validated once and frozen.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import cron from 'node-cron';
import type { Category, Policy } from '../domain/types.js';
import { CATEGORIES } from '../domain/types.js';
import { CATEGORY_LIST } from '../domain/categories/index.js';
import type { ArchivePolicy, BackupArchiveSettings } from './archive-schema.js';
import { checkArchivePolicy, checkBackupArchive, resolveArchivePolicy, resolveBackupArchive } from './archive-settings.js';
import { applyBackupPolicy, mergeRetention } from './backup-policy.js';
import type { Limits } from '../domain/limits.js';
import { resolveLimits } from './limits.js';
import { DEFAULT_HOST, DEFAULT_POLICY, DEFAULT_PORT, DEFAULT_ROOT, DEFAULT_SCHEDULE } from './defaults.js';
import { checkEditable, checkProtectGlobs } from './editable.js';
import { ConfigError } from './errors.js';
import { type NotificationSettings, resolveNotifications, resolvePublicUrl } from './notifications.js';
import { type Paths, resolvePaths } from './paths.js';
import { refuseSystemRoot } from './root-guard.js';
import { resolveTrash, type TrashSettings } from './trash-settings.js';
import { type ConfigFile, ConfigFileSchema, type RunOverrides, RunOverridesSchema, type TableConfig } from './schema.js';
import { describeFirstError } from './validation.js';

export { ConfigError } from './errors.js';
export type { EmailSettings, NotificationSettings, WebhookSettings } from './notifications.js';
export type { Paths } from './paths.js';
export type { TrashSettings } from './trash-settings.js';

export interface Settings {
  /** Absolute data root. */
  root: string;
  rootSource: 'flag' | 'env' | 'config' | 'default';
  configFile: string | null;
  /** Root-relative, validated to stay inside the root and not to overlap (SPEC 3.12). */
  paths: Readonly<Paths>;
  policy: Policy;
  protect: readonly string[];
  tables: Readonly<Partial<Record<'tasks' | 'errors' | 'prompts', TableConfig>>>;
  /** A cron expression, or 'off'. */
  schedule: string;
  timezone: string | undefined;
  scheduleDryRun: boolean;
  host: string;
  port: number;
  apiToken: string | undefined;
  logLevel: string;
  /** Webhooks and email (config `notifications`); secrets are Secret objects that never print. */
  notifications: NotificationSettings;
  /** Base URL people reach the service at (config `public_url`), for links in notifications. */
  publicUrl: string | undefined;
  /** `CLEANUP_METRICS_PUBLIC=true`: /metrics answers without the API token. */
  metricsPublic: boolean;
  /** `backup_archive`: archive backups the policy does not keep instead of deleting them; null = delete. */
  backupArchive: Readonly<BackupArchiveSettings> | null;
  /** `archive_policy`: retention of the archived copies; null = archived copies are kept. */
  archivePolicy: ArchivePolicy | null;
  /** `trash`: move what real runs remove into a restorable trash (README, Trash and restore); null = delete. */
  trash: TrashSettings | null;
  /** `limits`: the brakes, hard caps, plan lifetime and clock check (issue 15), defaults filled in. */
  limits: Limits;
}

export interface LoadOptions {
  /** Usually process.env. */
  env: Readonly<Record<string, string | undefined>>;
  /** `--root`. */
  root?: string;
  /** `--config`. */
  configFile?: string;
  /** Base for relative paths (cwd). */
  cwd?: string;
  /** The config file's content, already parsed: used instead of reading `configFile` (still checked the same way). */
  configData?: unknown;
  /**
   * Editable settings saved by the panel in the state database (config/editable.ts): merged over
   * the config file's keys, below the environment. Checked like the file; never root, paths or tables.
   */
  overlay?: unknown;
}

/** How a root's source is named in messages: what the operator would change. */
const ROOT_SOURCE_NAMES: Record<Settings['rootSource'], string> = {
  flag: '--root',
  env: 'ARCHITECT_HOME',
  config: "the config file's root",
  default: 'the default root ./data',
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Loads, validates and freezes the settings. Throws ConfigError with a one-line message. */
export function loadSettings(opts: LoadOptions): Settings {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env;
  const configPath = opts.configFile ?? nonEmpty(env.CLEANUP_CONFIG);
  const fromFile = configPath ? readConfigFile(path.resolve(cwd, configPath), opts.configData) : {};
  const file: ConfigFile = opts.overlay === undefined ? fromFile : { ...fromFile, ...checkEditable(opts.overlay, 'saved configuration') };
  const configDir = configPath ? path.dirname(path.resolve(cwd, configPath)) : cwd;

  const { root, rootSource } = resolveRoot(opts, file, cwd, configDir);
  refuseSystemRoot(root, ROOT_SOURCE_NAMES[rootSource], nonEmpty(env.HOME));
  const paths = resolvePaths(file);
  const policy = applyRetention(DEFAULT_POLICY, file, 'config file');
  const schedule = nonEmpty(env.CLEANUP_SCHEDULE) ?? file.schedule ?? DEFAULT_SCHEDULE;
  const timezone = nonEmpty(env.CLEANUP_TZ) ?? file.timezone;
  validateSchedule(schedule, env.CLEANUP_SCHEDULE ? 'CLEANUP_SCHEDULE' : 'schedule');
  if (timezone !== undefined) validateTimezone(timezone, env.CLEANUP_TZ ? 'CLEANUP_TZ' : 'timezone');

  const settings: Settings = {
    root,
    rootSource,
    configFile: configPath ? path.resolve(cwd, configPath) : null,
    paths,
    policy,
    protect: Object.freeze([...(file.protect ?? [])]),
    tables: Object.freeze({ ...(file.tables ?? {}) }),
    schedule,
    timezone,
    scheduleDryRun: parseBool(env.CLEANUP_SCHEDULE_DRY_RUN, 'CLEANUP_SCHEDULE_DRY_RUN', false),
    host: nonEmpty(env.HOST) ?? DEFAULT_HOST,
    port: parsePort(env.PORT),
    apiToken: nonEmpty(env.CLEANUP_API_TOKEN),
    logLevel: parseLogLevel(env.LOG_LEVEL),
    notifications: resolveNotifications(file.notifications, env),
    publicUrl: resolvePublicUrl(file.public_url),
    metricsPublic: parseBool(env.CLEANUP_METRICS_PUBLIC, 'CLEANUP_METRICS_PUBLIC', false),
    backupArchive: resolveBackupArchive(file.backup_archive, paths),
    archivePolicy: resolveArchivePolicy(file.archive_policy),
    trash: resolveTrash(file.trash),
    limits: resolveLimits(file.limits, schedule, timezone),
  };
  return Object.freeze(settings);
}

/** Returns a copy of the settings pointing at another root (tests, the CLI's --root); refuses a system root. */
export function withRoot(settings: Settings, root: string): Settings {
  refuseSystemRoot(path.resolve(root), ROOT_SOURCE_NAMES.flag, undefined);
  return Object.freeze({ ...settings, root: path.resolve(root), rootSource: 'flag' as const });
}

/** What set the root, as the operator would change it: `ARCHITECT_HOME`, `--root`, the config file's root. */
export function describeRootSource(settings: Settings): string {
  if (settings.rootSource === 'config' && settings.configFile) return `the root in ${settings.configFile}`;
  return ROOT_SOURCE_NAMES[settings.rootSource];
}

/** Merges a run's overrides (request body or CLI flags) over the settings' policy. */
export function resolvePolicy(settings: Pick<Settings, 'policy'>, overrides: RunOverrides | undefined): Policy {
  if (!overrides) return settings.policy;
  if (!Value.Check(RunOverridesSchema, overrides)) {
    throw new ConfigError(describeFirstError(RunOverridesSchema, overrides, 'request'));
  }
  return applyRetention(settings.policy, overrides, 'request');
}

/** The categories a run covers: all by default. */
export function resolveCategories(overrides: RunOverrides | undefined): readonly Category[] {
  return overrides?.categories?.length ? CATEGORIES.filter((c) => overrides.categories?.includes(c)) : CATEGORIES;
}

function applyRetention(base: Policy, src: RunOverrides | ConfigFile, where: string): Policy {
  let backupRetention = base.backupRetention;
  const br = src.backup_retention;
  if (typeof br === 'number') {
    // An integer sets every environment, including the named defaults.
    backupRetention = Object.fromEntries([
      ...Object.keys(base.backupRetention).map((k) => [k, br] as const),
      ['default', br] as const,
    ]) as Policy['backupRetention'];
  } else if (br && typeof br === 'object') {
    for (const [env, n] of Object.entries(br)) {
      if (!Number.isInteger(n) || n < 1) {
        throw new ConfigError(`${where}: backup_retention.${env} must be an integer >= 1 (got ${JSON.stringify(n)})`);
      }
    }
    backupRetention = mergeRetention(base.backupRetention, br, where);
  }
  const ages: Record<string, number> = { ...base.ages };
  for (const d of CATEGORY_LIST) {
    const value = d.rule.kind === 'age' ? (src as Record<string, unknown>)[d.rule.setting] : undefined;
    if (typeof value === 'number') ages[d.name] = value;
  }
  const backups = applyBackupPolicy({ backupRetention: Object.freeze(backupRetention), backupPolicy: base.backupPolicy }, src, where);
  return Object.freeze({
    backupRetention: backups.backupRetention,
    ...(backups.backupPolicy ? { backupPolicy: backups.backupPolicy } : {}),
    ages: Object.freeze(ages),
  });
}

function readConfigFile(file: string, parsed?: unknown): ConfigFile {
  const data = parsed === undefined ? parseConfigFile(file) : parsed;
  try {
    const raw = data as Record<string, unknown> | null;
    checkBackupArchive(raw?.backup_archive);
    checkArchivePolicy(raw?.archive_policy, raw?.backup_archive !== undefined);
  } catch (err) {
    throw new ConfigError(`config file ${file}: ${(err as Error).message}`);
  }
  if (!Value.Check(ConfigFileSchema, data)) {
    throw new ConfigError(`config file ${file}: ${describeFirstError(ConfigFileSchema, data, 'config')}`);
  }
  checkProtectGlobs(data.protect, `config file ${file}`);
  return data;
}

function parseConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? err}): check --config / CLEANUP_CONFIG`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
}

function resolveRoot(opts: LoadOptions, file: ConfigFile, cwd: string, configDir: string) {
  if (opts.root !== undefined) {
    if (opts.root === '') throw new ConfigError('--root needs a directory');
    return { root: path.resolve(cwd, opts.root), rootSource: 'flag' as const };
  }
  const envRoot = nonEmpty(opts.env.ARCHITECT_HOME);
  if (envRoot) return { root: path.resolve(cwd, envRoot), rootSource: 'env' as const };
  // A config file's relative root is read relative to the file, so the file means the same from any cwd.
  if (file.root) return { root: path.resolve(configDir, file.root), rootSource: 'config' as const };
  return { root: path.resolve(cwd, DEFAULT_ROOT), rootSource: 'default' as const };
}

function validateSchedule(expr: string, name: string) {
  if (expr === 'off') return;
  if (!cron.validate(expr)) {
    throw new ConfigError(`${name} "${expr}" is not a valid cron expression (e.g. "0 * * * *" for hourly, or "off")`);
  }
}

function validateTimezone(tz: string, name: string) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ConfigError(`${name} "${tz}" is not a known time zone (e.g. "UTC", "Europe/Berlin")`);
  }
}

function parseBool(v: string | undefined, name: string, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt;
  const s = v.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(s)) return true;
  if (['false', '0', 'no'].includes(s)) return false;
  throw new ConfigError(`${name} must be true or false (got ${JSON.stringify(v)})`);
}

function parsePort(v: string | undefined): number {
  if (v === undefined || v === '') return DEFAULT_PORT;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535) throw new ConfigError(`PORT must be an integer from 0 to 65535 (got ${JSON.stringify(v)})`);
  return n;
}

function parseLogLevel(v: string | undefined): string {
  if (v === undefined || v === '') return 'info';
  if (!LOG_LEVELS.includes(v)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(v)})`);
  return v;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
