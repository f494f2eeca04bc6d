/**
 * `cleanup-worker`: the command line (SPEC section 6). `main` parses, loads the settings once,
 * and hands off to a run, the daemon controls or the status; it never calls process.exit, it
 * returns the exit code: 0 done, 1 the run failed or some items failed, 2 usage or config
 * error, 3 another cleanup is running.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSettings, type Settings } from '../config/settings.js';
import { catalogEntryOf } from '../domain/errors.js';
import { MAX_COUNT } from '../config/schema.js';
import { type CliCommand, parseCliArgs } from './args.js';
import { startDaemon, stopDaemon } from './daemon.js';
import { type CliIo, EXIT, PROGRAM, say } from './io.js';
import { runRestore } from './restore.js';
import { runTrashRestore } from './trash-restore.js';
import { runCleanup } from './run.js';
import { showStatus } from './status.js';

export type { CliIo } from './io.js';

export const HELP = `Usage: ${PROGRAM} [options]
       ${PROGRAM} restore <env>/<name> [--to DIR] [--root DIR] [--config FILE] [--json]
       ${PROGRAM} restore --run RUN_ID [--category C] [--target PATH]... [--root DIR] [--config FILE] [--json]

Cleans the Architect dashboard's data root: old database backups, old logs, finished tasks,
resolved errors, old prompts (archived, not lost) and temp files. Without --force nothing is
deleted: it shows what would be removed and why.

Cleanup:
  --dry-run        show what would be deleted (the default when --force is absent)
  --force          actually delete
  --days N         age limit in days for logs, tasks and errors (defaults 30, 7, 30)
  --keep N         backups kept per environment (defaults prod 10, qa 5, dev 5, test 3, other 5)
                   N is an integer from 1 to ${MAX_COUNT}
  --keep-daily N   also keep the newest backup of each of the N latest days that have one
  --keep-weekly N  … of each of the N latest ISO weeks (Monday to Sunday)
  --keep-monthly N … of each of the N latest months
  --keep-yearly N  … of each of the N latest years
  --keep-within D  also keep every backup within D of the newest one; D is a duration such as
                   14d, 6h, 2w, 1y2m (units y m w d h, in that order)
                   These apply to every environment, like --keep, and add to the config file's
                   backup_policy (0 switches a rule off). Days, weeks … are cut in CLEANUP_TZ,
                   else the config's timezone, else the machine's. A backup is kept if any rule
                   keeps it; the newest of each environment always is.
  --explain        list every backup the retention policy keeps, with the rules that keep it

Plans and brakes (README, Brakes):
  --apply PLAN_ID  remove exactly the items of a plan: the plan_id a dry run prints (or the run
                   id of a refused run), under the settings it was made with; each item is
                   re-checked first, anything that changed or no longer qualifies is kept, and
                   nothing outside the plan is removed. A plan lasts limits.plan_ttl_minutes
                   (default 60) and is applied once.
  --allow-large    with --force: go ahead with a run the brake would refuse as unusual (far
                   beyond the recent runs and the category's content) or that is over a
                   limits cap. A refused run deletes nothing, exits 4 and says "refused".

Daemon (the HTTP API with its hourly schedule):
  --daemon         start it in the background, write <root>/.cleanup/cleanup_worker.pid, return
  --status         whether it runs, its schedule, and the last run's stats
  --stop           stop it (SIGTERM, then SIGKILL after 10 s); not running is not an error

Restore (from backup_archive's target):
  restore <env>/<name> [--to DIR]
                   fetch an archived backup, check its SHA-256, decompress it and put it back
                   in backups/<env>/ (or DIR); an existing file is never overwritten

Config file (--config; the same keys as the API body, plus these):
  backup_policy    per environment and "default": keep_last, keep_hourly, keep_daily,
                   keep_weekly, keep_monthly, keep_yearly (counts), keep_within (a duration);
                   restic's forget rules, e.g. {"prod": {"keep_daily": 7, "keep_weekly": 4}}
  backup_archive   config file only: archive what no rule keeps instead of deleting it,
                   gzipped and verified before the local file goes, e.g.
                   {"target": {"type": "local", "dir": "archive/backups"}} or {"target":
                   {"type": "s3", "bucket": "…", "prefix": "architect/", "region": "…"}}
                   (S3 credentials from the AWS SDK chain, never from the file)
  archive_policy   config file only: the backup_policy rules for the archived copies, e.g.
                   {"prod": {"keep_monthly": 12}}; copies no rule keeps are deleted there

Restore (from the trash, config "trash": {"keep_hours": 72}; see README, Trash and restore):
  restore --run RUN_ID
                   put back what run RUN_ID moved into the trash (files and database rows),
                   where they were; an existing file or row is never overwritten (reported,
                   left in the trash, exit 1). Recorded as a run with trigger cli; what comes
                   back is kept by later runs for keep_hours
  --category C     only that category (backups, logs, tasks, errors, temp)
  --target PATH    only that item or what lies below it (logs/app, architect.db:task_queue#12);
                   may be given more than once

Common:
  --root DIR       data root (default: $ARCHITECT_HOME, else the config file's root, else ./data)
  --config FILE    JSON config file (default: $CLEANUP_CONFIG)
  --json           machine-readable output: one JSON document on stdout
  -h, --help       this help
  --version        the version

Environment: ARCHITECT_HOME, CLEANUP_CONFIG, PORT, HOST, CLEANUP_SCHEDULE, CLEANUP_TZ,
CLEANUP_SCHEDULE_DRY_RUN, CLEANUP_API_TOKEN, LOG_LEVEL.
Exit codes: 0 done, 1 the run failed or some items failed (or the plan cannot be applied),
2 usage or config error, 3 another cleanup is running, 4 refused by a brake (nothing deleted).
`;

/** Runs the CLI with `argv` (without node and the script) and returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseCliArgs(argv);
  } catch (err) {
    const known = catalogEntryOf(err);
    if (known?.exit !== EXIT.usage) throw err;
    say(io, `${(err as Error).message}; see --help`);
    return known.exit;
  }
  if (cmd.mode === 'help') {
    io.stdout.write(HELP);
    return EXIT.ok;
  }
  if (cmd.mode === 'version') {
    io.stdout.write(`${readVersion()}\n`);
    return EXIT.ok;
  }
  let settings: Settings;
  try {
    settings = loadSettings({ env: io.env, root: cmd.root, configFile: cmd.configFile, cwd: io.cwd });
  } catch (err) {
    const known = catalogEntryOf(err);
    if (known?.exit !== EXIT.usage) throw err;
    say(io, (err as Error).message);
    return known.exit;
  }
  try {
    return await dispatch(cmd, settings, io);
  } catch (err) {
    const known = catalogEntryOf(err);
    if (known?.exit === EXIT.usage) {
      say(io, (err as Error).message);
      return known.exit;
    }
    say(io, `failed: ${(err as Error).message ?? String(err)}`);
    return EXIT.failed;
  }
}

function dispatch(cmd: CliCommand, settings: Settings, io: CliIo): Promise<number> {
  switch (cmd.mode) {
    case 'daemon':
      return startDaemon(settings, io, cmd.json);
    case 'stop':
      return stopDaemon(settings, io, cmd.json);
    case 'status':
      return showStatus(settings, io, cmd.json);
    case 'restore':
      if (cmd.trashRestore) return runTrashRestore(cmd.trashRestore, cmd.json, settings, io);
      return runRestore(cmd.restore, cmd.json, settings, io);
    default:
      return runCleanup(cmd, settings, io);
  }
}

/** The package's version, from the package.json above this file (src/cli or dist/src/cli). */
export function readVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PROGRAM && pkg.version) return pkg.version;
    } catch {
      // Not this one: try the next level up.
    }
  }
  return 'unknown';
}
