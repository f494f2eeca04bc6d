/**
 * How `backup_retention` and `backup_policy` from one source (config file, request body, CLI
 * flags) merge over the policy so far. One model: every environment has one rule set;
 * `backup_retention` is shorthand for its `keep_last` (kept in `Policy.backupRetention`), and the
 * other rules live in `Policy.backupPolicy`. Per environment, a source's rules merge rule by rule
 * over the earlier ones (a 0 or "0d" switches a rule off), environment names match
 * case-insensitively, and `default` covers every environment not named.
 */
import type { RetentionRules } from '../domain/retention/index.js';
import type { BackupPolicy, BackupRetention, Policy } from '../domain/types.js';
import { ConfigError } from './errors.js';

/** The retention keys of one source, as the schemas checked them. */
export interface RetentionSource {
  backup_retention?: number | Readonly<Record<string, number>>;
  backup_policy?: Readonly<Record<string, RetentionRules>>;
}

/**
 * Merges per-environment counts over `base`. Environment folders match retention keys
 * case-insensitively (SPEC 1), so a key replaces every base key spelled the same but for case
 * (`{"QA": 2}` over the default `qa: 5` means 2 for `backups/qa/`), and one object naming the same
 * environment twice (`prod` and `PROD`) is refused as ambiguous.
 */
export function mergeRetention(base: BackupRetention, over: Readonly<Record<string, number>>, where: string, key = 'backup_retention'): BackupRetention {
  const seen = sameEnvironmentTwice(over, where, key);
  const merged: Record<string, number> = {};
  for (const [env, n] of Object.entries(base)) if (!seen.has(env.toLowerCase())) merged[env] = n;
  // `default` is the policy's own key, whatever its spelling in the file.
  for (const [env, n] of Object.entries(over)) merged[canonical(env)] = n;
  return merged as BackupRetention;
}

/**
 * Applies one source's `backup_policy` over the policy so far (after its `backup_retention`):
 * each environment's `keep_last` goes to `backupRetention`, its other rules merge rule by rule
 * over that environment's earlier rules. Refuses (ConfigError naming the fields) an environment
 * named twice, and `keep_last` set both by `backup_retention` and `backup_policy` in one source.
 */
export function applyBackupPolicy(
  base: Pick<Policy, 'backupRetention' | 'backupPolicy'>,
  src: RetentionSource,
  where: string,
): Pick<Policy, 'backupRetention' | 'backupPolicy'> {
  const over = src.backup_policy;
  if (!over) return base;
  sameEnvironmentTwice(over, where, 'backup_policy');
  const keepLast: Record<string, number> = {};
  const rules: Record<string, RetentionRules> = {};
  for (const [env, r] of Object.entries(over)) {
    const { keep_last, ...rest } = r;
    if (keep_last !== undefined) {
      refuseDoubleKeepLast(src.backup_retention, env, where);
      keepLast[env] = keep_last;
    }
    if (Object.keys(rest).length > 0) rules[env] = rest;
  }
  const backupRetention = Object.keys(keepLast).length ? mergeRetention(base.backupRetention, keepLast, where, 'backup_policy') : base.backupRetention;
  if (Object.keys(rules).length === 0) return { backupRetention, backupPolicy: base.backupPolicy };
  const merged: Record<string, RetentionRules> = { ...base.backupPolicy };
  for (const [env, r] of Object.entries(rules)) {
    let earlier: RetentionRules = {};
    for (const k of Object.keys(merged)) {
      if (k.toLowerCase() !== env.toLowerCase()) continue;
      earlier = { ...earlier, ...merged[k] };
      delete merged[k];
    }
    merged[canonical(env)] = Object.freeze({ ...earlier, ...r });
  }
  return { backupRetention: Object.freeze(backupRetention), backupPolicy: Object.freeze(merged) as BackupPolicy };
}

/**
 * The CLI's `--keep-daily N` … flags as a `backup_policy` that sets them for every environment,
 * like `--keep`: each environment the policy names, and `default` for all others.
 */
export function policyForEveryEnvironment(rules: RetentionRules, policy: Policy): Record<string, RetentionRules> {
  const envs = new Set(['default', ...Object.keys(policy.backupPolicy ?? {})]);
  return Object.fromEntries([...envs].map((env) => [env, { ...rules }]));
}

function canonical(env: string): string {
  return env.toLowerCase() === 'default' ? 'default' : env;
}

function sameEnvironmentTwice(obj: Readonly<Record<string, unknown>>, where: string, key: string): Set<string> {
  const seen = new Map<string, string>();
  for (const env of Object.keys(obj)) {
    const other = seen.get(env.toLowerCase());
    if (other !== undefined) {
      throw new ConfigError(`${where}: ${key}.${other} and ${key}.${env} name the same environment (names match case-insensitively); keep one`);
    }
    seen.set(env.toLowerCase(), env);
  }
  return new Set(seen.keys());
}

function refuseDoubleKeepLast(retention: RetentionSource['backup_retention'], env: string, where: string): void {
  const named = typeof retention === 'number' ? 'backup_retention' : Object.keys(retention ?? {}).find((k) => k.toLowerCase() === env.toLowerCase());
  if (named === undefined) return;
  const field = named === 'backup_retention' ? named : `backup_retention.${named}`;
  throw new ConfigError(`${where}: ${field} and backup_policy.${env}.keep_last both set how many ${env} backups are kept (backup_retention means keep_last); keep one`);
}
