/**
 * Reads and checks `backup_archive` and `archive_policy` from the config file, before the whole
 * file is checked, so a mistake is named precisely: the target is checked against the schema of
 * its own `type` (a union would only say "union"), credential keys are refused by name, and a
 * local folder must lie inside the root and outside every folder the service cleans or keeps.
 */
import path from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  type ArchivePolicy,
  ArchivePolicySchema,
  type BackupArchiveSettings,
  LocalTargetSchema,
  S3TargetSchema,
  type TargetConfig,
} from './archive-schema.js';
import { checkRetention, rulesSwitchedOn } from '../domain/retention/index.js';
import { ConfigError } from './errors.js';
import type { Paths } from './paths.js';
import { describeFirstError } from './validation.js';

/** Keys that would hold credentials: never read from a file (the AWS SDK chain provides them). */
const CREDENTIAL_KEY = /^(access_?key(_?id)?|secret(_?access)?(_?key)?|session_?token|credentials?|aws_.*|password|token)$/i;

/**
 * Checks the raw `backup_archive` value of the config file. Throws ConfigError naming the field
 * (`config: backup_archive.target.bucket must be string`). Call before the whole-file check.
 */
export function checkBackupArchive(raw: unknown): void {
  if (raw === undefined) return;
  if (!isObject(raw)) throw new ConfigError('config: backup_archive must be an object like {"compress": true, "target": {"type": "local", "dir": "archive/backups"}}');
  const target = raw.target;
  if (!isObject(target)) throw new ConfigError('config: backup_archive.target must be an object with "type": "local" or "s3"');
  for (const key of Object.keys(target)) {
    if (CREDENTIAL_KEY.test(key)) {
      throw new ConfigError(`config: backup_archive.target.${key}: credentials are never read from the config file; give them to the AWS SDK (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or an instance role)`);
    }
  }
  const schema: TSchema | undefined = target.type === 'local' ? LocalTargetSchema : target.type === 's3' ? S3TargetSchema : undefined;
  if (!schema) throw new ConfigError(`config: backup_archive.target.type must be "local" or "s3" (got ${JSON.stringify(target.type)})`);
  if (!Value.Check(schema, target)) throw new ConfigError(nested(schema, target, 'backup_archive.target'));
  if (target.type === 's3' && typeof target.endpoint === 'string') checkEndpoint(target.endpoint);
}

/**
 * Checks the raw `archive_policy` value: per environment the rule set of `backup_policy`
 * (schema), no environment named twice (names match case-insensitively), and no rule set that
 * keeps nothing (restic's empty policy would delete every copy). Throws ConfigError naming the field.
 */
export function checkArchivePolicy(raw: unknown, hasArchive: boolean): void {
  if (raw === undefined) return;
  if (!Value.Check(ArchivePolicySchema, raw)) {
    throw new ConfigError(nested(ArchivePolicySchema, raw, 'archive_policy'));
  }
  const seen = new Map<string, string>();
  for (const [env, rules] of Object.entries(raw)) {
    const other = seen.get(env.toLowerCase());
    if (other !== undefined) throw new ConfigError(`config: archive_policy.${other} and archive_policy.${env} name the same environment (names match case-insensitively); keep one`);
    seen.set(env.toLowerCase(), env);
    try {
      checkRetention(rulesSwitchedOn(rules));
    } catch (err) {
      throw new ConfigError(`config: archive_policy.${env} keeps nothing: ${(err as Error).message}`);
    }
  }
  if (!hasArchive) throw new ConfigError('config: archive_policy applies to archived backups: set backup_archive too, or remove archive_policy');
}

/**
 * The settings' view of `backup_archive` (compress defaults to true), with a local folder
 * normalised and checked against the other paths (SPEC 3.12); null when not configured.
 */
export function resolveBackupArchive(raw: { compress?: boolean; target: TargetConfig } | undefined, paths: Readonly<Paths>): BackupArchiveSettings | null {
  if (!raw) return null;
  const target: TargetConfig = raw.target.type === 'local' ? { type: 'local', dir: checkLocalDir(raw.target.dir, paths) } : { ...raw.target };
  return Object.freeze({ compress: raw.compress !== false, target: Object.freeze(target) });
}

/** The settings' view of `archive_policy`, or null when not configured (archived copies are then kept). */
export function resolveArchivePolicy(raw: ArchivePolicy | undefined): ArchivePolicy | null {
  if (!raw) return null;
  return Object.freeze(Object.fromEntries(Object.entries(raw).map(([env, r]) => [env, Object.freeze({ ...r })])));
}

function checkLocalDir(dir: string, paths: Readonly<Paths>): string {
  const norm = path.posix.normalize(dir.replace(/\\/g, '/')).replace(/\/+$/, '');
  if (path.isAbsolute(dir) || norm === '..' || norm.startsWith('../') || dir.includes('\0')) {
    throw new ConfigError(`config: backup_archive.target.dir must be a relative path inside the root (got ${JSON.stringify(dir)})`);
  }
  if (norm === '.' || norm === '') throw new ConfigError('config: backup_archive.target.dir must name a folder below the root, not the root itself');
  const others: Array<[string, string]> = [
    ['backups', paths.backups],
    ['logs', paths.logs],
    ...paths.temp.map((t, i): [string, string] => [`temp[${i}]`, t]),
    ['sessions', paths.sessions],
    ['state', paths.state],
    ['database', paths.database],
  ];
  const fold = (p: string) => p.normalize('NFC').toLowerCase();
  for (const [key, other] of others) {
    const a = fold(norm);
    const b = fold(other);
    if (a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) {
      throw new ConfigError(`config: backup_archive.target.dir (${JSON.stringify(dir)}) overlaps paths.${key} (${JSON.stringify(other)}): archived backups need a folder of their own, e.g. "archive/backups"`);
    }
  }
  // Inside the archive folder is the intended place; the folder itself (it holds prompts.db) or above it is not.
  const a = fold(norm);
  const b = fold(paths.archive);
  if (a === b || b.startsWith(`${a}/`)) {
    throw new ConfigError(`config: backup_archive.target.dir (${JSON.stringify(dir)}) must be a folder inside paths.archive, not ${a === b ? 'the archive folder itself' : 'above it'} (e.g. "${paths.archive}/backups")`);
  }
  return norm;
}

function checkEndpoint(endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ConfigError(`config: backup_archive.target.endpoint must be a URL such as "https://s3.example.com" (got ${JSON.stringify(endpoint)})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError('config: backup_archive.target.endpoint must start with http:// or https://');
  if (url.username || url.password) throw new ConfigError('config: backup_archive.target.endpoint must not carry credentials; give them to the AWS SDK chain');
}

/** describeFirstError for a value found at `at` in the file: the field named from the top. */
function nested(schema: TSchema, value: unknown, at: string): string {
  const msg = describeFirstError(schema, value, 'config').replace(/^config: /, '');
  const unknown = /^unknown field "(.*)"$/.exec(msg);
  if (unknown) return `config: unknown field "${at}.${unknown[1]}"`;
  const required = /^(\S+) must be required property$/.exec(msg);
  if (required) return `config: ${at}.${required[1]} is required`;
  return `config: ${at}.${msg}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
