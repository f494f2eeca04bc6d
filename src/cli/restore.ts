/**
 * `cleanup-worker restore <env>/<name> [--to DIR]`: fetch an archived backup from the configured
 * target, check its digests, decompress it and put it back (backups/<env>/ by default), never
 * overwriting a file. Exit 0 restored, 1 the target failed / the copy is damaged / a file is in
 * the way, 2 usage or config error (including no such archived backup).
 * `restore --run RUN_ID [--category C] [--target PATH]…` puts back what a run moved into the
 * trash instead (cli/trash-restore.ts, README, Trash and restore).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Settings } from '../config/settings.js';
import { ConfigError, UsageError } from '../domain/errors.js';
import { restoreBackup } from '../engine/backup-archive/restore.js';
import { CATEGORIES, type Category } from '../domain/types.js';
import type { RestoreRequest } from '../engine/trash/selection.js';
import { createTarget } from '../targets/index.js';
import { type CliIo, EXIT, writeJson } from './io.js';
import { escapeControls } from './escape.js';

/** The archived backup a `restore` names, and where to put it. */
export interface RestoreArgs {
  env: string;
  name: string;
  to?: string;
}

/** What `restore …` parsed to (args.ts turns it into a CliCommand). */
export interface ParsedRestore {
  help: boolean;
  json: boolean;
  root?: string;
  configFile?: string;
  restore?: RestoreArgs;
  /** `--run RUN_ID`: a run's trash to put back. */
  trash?: RestoreRequest;
}

/** Parses the arguments after `restore`. Throws UsageError with a one-line message. */
export function parseRestoreArgs(argv: readonly string[]): ParsedRestore {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(`restore: ${(err as Error).message.split('\n')[0]}`);
  }
  const { values, positionals } = parsed;
  const json = values.json === true;
  if (values.help) return { help: true, json };
  if (values.run !== undefined) return { help: false, json, root: values.root, configFile: values.config, trash: parseTrashRestore(values, positionals) };
  if (values.category !== undefined || values.target !== undefined) throw new UsageError('--category and --target go with --run RUN_ID (restore a run\'s trash)');
  if (positionals.length !== 1) throw new UsageError('restore needs one archived backup, as <env>/<name> (e.g. restore prod/architect_20260101_000000.db)');
  const spec = positionals[0] as string;
  const slash = spec.indexOf('/');
  const env = spec.slice(0, slash);
  const name = spec.slice(slash + 1);
  if (slash <= 0 || name === '' || name.includes('/')) throw new UsageError(`restore: ${JSON.stringify(spec)} is not <env>/<name> (e.g. prod/architect_20260101_000000.db)`);
  return { help: false, json, root: values.root, configFile: values.config, restore: { env, name, to: values.to } };
}

/** `--run RUN_ID [--category C] [--target PATH]…`: what to put back from a run's trash. */
function parseTrashRestore(values: ReturnType<typeof parse>['values'], positionals: readonly string[]): RestoreRequest {
  if (positionals.length > 0) throw new UsageError(`restore --run takes no <env>/<name> (got ${JSON.stringify(positionals[0])})`);
  if (values.to !== undefined) throw new UsageError('--to goes with restore <env>/<name>; a run\'s trash goes back where it was');
  const runId = values.run as string;
  if (runId === '') throw new UsageError('--run needs a run id (see --status or GET /api/system/cleanup/runs)');
  const category = values.category;
  if (category !== undefined && !(CATEGORIES as readonly string[]).includes(category)) {
    throw new UsageError(`--category must be one of ${CATEGORIES.join(', ')} (got ${JSON.stringify(category)})`);
  }
  const targets = values.target ?? [];
  if (targets.some((t) => t === '')) throw new UsageError('--target needs a path (e.g. logs/app or architect.db:task_queue#12)');
  return { runId, ...(category ? { category: category as Category } : {}), ...(targets.length ? { targets } : {}) };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      to: { type: 'string' },
      run: { type: 'string' },
      category: { type: 'string' },
      target: { type: 'string', multiple: true },
      root: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
}

/** Runs a parsed `restore` command; returns the exit code. Throws catalog errors for main to map. */
export async function runRestore(req: RestoreArgs | undefined, json: boolean, settings: Settings, io: CliIo): Promise<number> {
  if (!req) throw new UsageError('restore needs <env>/<name>');
  if (!settings.backupArchive) throw new ConfigError('restore: no archive target is configured (set backup_archive in the config file)');
  if (req.to === '') throw new UsageError('--to needs a folder');
  const target = createTarget(settings.root, settings.backupArchive.target);
  try {
    const to = req.to === undefined ? undefined : { abs: path.resolve(io.cwd, req.to) };
    const r = await restoreBackup(settings, target, { env: req.env, name: req.name, to });
    if (json) writeJson(io, { success: true, key: r.key, from: r.from, restored_to: r.restoredTo, bytes: r.bytes, sha256: r.sha256 });
    else io.stdout.write(`${escapeControls(`restored ${req.env}/${req.name} from ${r.from} to ${r.restoredTo} (${r.bytes} bytes, SHA-256 verified)`)}\n`);
    return EXIT.ok;
  } finally {
    target.close();
  }
}
