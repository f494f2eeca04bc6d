/**
 * Command-line parsing: argv -> a validated `CliCommand`, or a UsageError whose message is
 * one line naming the problem. Numbers follow the API's rules (integers 1..MAX_COUNT) and the
 * resulting overrides are checked against the same TypeBox schema as a request body.
 */
import { parseArgs } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { MAX_COUNT, type RunOverrides, RunOverridesSchema } from '../config/schema.js';
import { describeFirstError } from '../config/validation.js';
import { UsageError } from '../domain/errors.js';
import { parseRestoreArgs, type RestoreArgs } from './restore.js';
import type { RestoreRequest } from '../engine/trash/selection.js';
import { DURATION_HINT, parseDuration, type RetentionRules } from '../domain/retention/index.js';

/** A bad flag or combination of flags: exit 2, nothing deleted. */
export { UsageError } from '../domain/errors.js';

export type CliMode = 'run' | 'daemon' | 'status' | 'stop' | 'help' | 'version' | 'restore';

export interface CliCommand {
  mode: CliMode;
  /** `run` only: true unless `--force`. */
  dryRun: boolean;
  overrides: RunOverrides;
  /**
   * `--keep-daily N` … `--keep-within D`: rules for every environment, like `--keep`. Turned into
   * `overrides.backup_policy` once the settings say which environments the policy names (run.ts).
   */
  policyFlags: RetentionRules;
  /** `--explain`: list every backup the policy keeps, with the rules that keep it. */
  explain: boolean;
  root?: string;
  configFile?: string;
  json: boolean;
  /** `restore` only (cli/restore.ts): the archived backup and where to put it. */
  restore?: RestoreArgs;
  /** `restore --run` only: the run's trash to put back (cli/trash-restore.ts). */
  trashRestore?: RestoreRequest;
  /** `--apply PLAN_ID`: a real run of exactly that plan's items (a dry run's plan_id, or a refused run's id). */
  applyPlanId?: string;
  /** `--allow-large` (with `--force`): a person confirms a run the brake or a limits cap would refuse. */
  allowLarge?: boolean;
}

const OPTIONS = {
  'dry-run': { type: 'boolean' },
  force: { type: 'boolean' },
  days: { type: 'string', multiple: true },
  keep: { type: 'string', multiple: true },
  'keep-daily': { type: 'string', multiple: true },
  'keep-weekly': { type: 'string', multiple: true },
  'keep-monthly': { type: 'string', multiple: true },
  'keep-yearly': { type: 'string', multiple: true },
  'keep-within': { type: 'string', multiple: true },
  explain: { type: 'boolean' },
  apply: { type: 'string', multiple: true },
  'allow-large': { type: 'boolean' },
  daemon: { type: 'boolean' },
  status: { type: 'boolean' },
  stop: { type: 'boolean' },
  root: { type: 'string', multiple: true },
  config: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseStrict>['values'];

/** The rule flags and the `backup_policy` key each sets. */
const RULE_FLAGS = [
  ['keep-daily', 'keep_daily'],
  ['keep-weekly', 'keep_weekly'],
  ['keep-monthly', 'keep_monthly'],
  ['keep-yearly', 'keep_yearly'],
] as const;

const VALUE_FLAGS = new Set(['--days', '--keep', '--root', '--config', '--apply', ...RULE_FLAGS.map(([f]) => `--${f}`), '--keep-within']);
const MODE_FLAGS = ['daemon', 'status', 'stop'] as const;
/** Flags that only mean something for a cleanup run. */
const RUN_FLAGS = ['dry-run', 'force', 'days', 'keep', ...RULE_FLAGS.map(([f]) => f), 'keep-within', 'explain', 'apply', 'allow-large'] as const;
/** Flags that change a run's policy: a plan is applied with its own, so they cannot go with --apply. */
const POLICY_FLAGS = ['days', 'keep', ...RULE_FLAGS.map(([f]) => f), 'keep-within'] as const;

/** Parses argv (without `node` and the script). Throws UsageError with a one-line message. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  if (argv[0] === 'restore') {
    const r = parseRestoreArgs(argv.slice(1));
    return {
      mode: r.help ? 'help' : 'restore',
      dryRun: true,
      overrides: {},
      policyFlags: {},
      explain: false,
      json: r.json,
      root: r.root,
      configFile: r.configFile,
      restore: r.restore,
      trashRestore: r.trash,
    };
  }
  const { values } = parseStrict(joinNegativeValues(argv));
  const json = values.json === true;
  if (values.help) return { mode: 'help', dryRun: true, overrides: {}, policyFlags: {}, explain: false, json };
  if (values.version) return { mode: 'version', dryRun: true, overrides: {}, policyFlags: {}, explain: false, json };
  const root = single(values.root, 'root', 'DIR');
  const configFile = single(values.config, 'config', 'FILE');
  const mode = pickMode(values);
  if (values['dry-run'] && values.force) {
    throw new UsageError('--dry-run and --force cannot be used together: drop --dry-run to delete, or --force to preview');
  }
  const applyPlanId = checkConfirmFlags(values);
  return {
    mode,
    dryRun: values.force !== true && applyPlanId === undefined,
    applyPlanId,
    allowLarge: values['allow-large'] === true,
    overrides: buildOverrides(values),
    policyFlags: buildPolicyFlags(values),
    explain: values.explain === true,
    root,
    configFile,
    json,
  };
}

/**
 * `--apply PLAN_ID` is a real run of the plan's items under the plan's own settings (no --dry-run,
 * no policy flags); `--allow-large` confirms a real run (--force). Returns the plan id, if any.
 */
function checkConfirmFlags(values: Values): string | undefined {
  const planId = single(values.apply, 'apply', 'PLAN_ID (the plan_id of a dry run)');
  if (planId !== undefined) {
    if (values['dry-run']) throw new UsageError('--apply carries out a plan (a real run): drop --dry-run (the plan itself was the dry run)');
    const policy = POLICY_FLAGS.find((f) => values[f] !== undefined);
    if (policy) throw new UsageError(`--apply and --${policy} cannot be used together: a plan is applied with the settings it was made with`);
  } else if (values['allow-large'] && !values.force) {
    throw new UsageError('--allow-large confirms a real run: add --force (without it nothing is deleted anyway)');
  }
  return planId;
}

function parseStrict(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    throw new UsageError(describeParseError(err as NodeJS.ErrnoException));
  }
}

/**
 * `--keep -1` is ambiguous to parseArgs (it looks like a flag); read it as `--keep=-1` so the
 * user is told the number is out of range rather than that the value is missing.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if (VALUE_FLAGS.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

const VALUE_EXAMPLES: Readonly<Record<string, string>> = { '--root': 'DIR', '--config': 'FILE', '--keep-within': '14d', '--keep-daily': '7', '--apply': 'PLAN_ID' };

function describeParseError(err: NodeJS.ErrnoException): string {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  const flag = quoted.split(' ')[0] ?? quoted;
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted)}: this command takes only options (e.g. --root DIR)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (err.message.includes('does not take an argument')) return `${flag} takes no value`;
      return `${flag} needs a value (e.g. ${flag} ${VALUE_EXAMPLES[flag] ?? '30'})`;
    default:
      return err.message.split('\n')[0] ?? String(err);
  }
}

function single(list: string[] | undefined, name: string, what: string): string | undefined {
  if (!list?.length) return undefined;
  if (list.length > 1) throw new UsageError(`--${name} was given ${list.length} times; give one ${what}`);
  const value = list[0] as string;
  if (value === '') throw new UsageError(`--${name} needs a ${what}, got an empty string`);
  return value;
}

function pickMode(values: Values): CliMode {
  const modes = MODE_FLAGS.filter((m) => values[m]);
  if (modes.length > 1) throw new UsageError(`--${modes[0]} and --${modes[1]} cannot be used together: pick one`);
  const mode = modes[0];
  if (!mode) return 'run';
  const runFlag = RUN_FLAGS.find((f) => values[f] !== undefined);
  if (runFlag) {
    throw new UsageError(`--${mode} and --${runFlag} cannot be used together: --${runFlag} applies to a cleanup run`);
  }
  return mode;
}

function buildOverrides(values: Values): RunOverrides {
  const overrides: RunOverrides = {};
  const days = single(values.days, 'days', 'number of days');
  const keep = single(values.keep, 'keep', 'number of backups');
  if (days !== undefined) {
    const n = parseCount('--days', days);
    overrides.log_age_days = n;
    overrides.task_age_days = n;
    overrides.error_age_days = n;
  }
  if (keep !== undefined) overrides.backup_retention = parseCount('--keep', keep);
  if (!Value.Check(RunOverridesSchema, overrides)) {
    // Unreachable while parseCount mirrors the schema; kept so the two can never drift apart silently.
    throw new UsageError(describeFirstError(RunOverridesSchema, overrides, 'flags'));
  }
  return overrides;
}

/**
 * The retention rule flags, for every environment: counts 0..MAX_COUNT (0 switches a rule the
 * config file sets off, as in the API) and a keep_within duration.
 */
function buildPolicyFlags(values: Values): RetentionRules {
  const rules: Record<string, number | string> = {};
  for (const [flag, key] of RULE_FLAGS) {
    const raw = single(values[flag], flag, 'number');
    if (raw !== undefined) rules[key] = parseCount(`--${flag}`, raw, 0);
  }
  const within = single(values['keep-within'], 'keep-within', 'duration');
  if (within !== undefined) {
    if (!parseDuration(within.trim())) throw new UsageError(`--keep-within must be ${DURATION_HINT} (got ${within})`);
    rules.keep_within = within.trim();
  }
  return rules as RetentionRules;
}

/** An integer min..MAX_COUNT (the API's PositiveIntSchema by default), written in decimal digits. */
function parseCount(flag: string, raw: string, min = 1): number {
  const trimmed = raw.trim();
  const n = Number(trimmed);
  if (!/^[+-]?\d+$/.test(trimmed) || n < min) {
    throw new UsageError(`${flag} must be an integer >= ${min} (got ${raw})`);
  }
  if (n > MAX_COUNT) throw new UsageError(`${flag} must be an integer <= ${MAX_COUNT} (got ${raw})`);
  return n;
}
