/**
 * Backups (SPEC 1): regular files directly inside backups/<env>/ (files directly in backups/
 * are environment `default`), ranked per environment by the timestamp in their name, else
 * their mtime; each environment's retention policy (planner.ts planBackups) says which stay.
 * Every keep decision is reported too, so a run can explain why a backup stayed.
 */
import type { CategoryHandler, RunContext } from '../context.js';
import { displayPath } from '../fs/byte-names.js';
import { walkCategoryFolder } from '../fs/collect.js';
import { archiveBackups } from '../backup-archive/archive-backups.js';
import { carryOutPlan, type StillDue } from '../fs/file-executor.js';
import { type CategoryFolder, type FileScope, openCategoryFolder, openFileScope, toCandidate } from '../fs/scope.js';
import { type BackupPlanOptions, planBackups } from '../planner.js';
import type { FileCandidate } from '../../domain/types.js';

/** Names that are work in progress or SQLite side files, never backups. */
const NOT_A_BACKUP = /(\.tmp|\.partial|-journal|-wal|-shm)$/i;

/** True when a file name can be a backup: not hidden, not a temporary or SQLite side file. */
export function isBackupName(name: string): boolean {
  return name !== '' && !name.startsWith('.') && !NOT_A_BACKUP.test(name);
}

/** Timestamp layouts a backup name may hold; groups: year, month, day, hour, minute, second. */
const NAME_TIMESTAMPS = [
  /(?<!\d)(\d{4})(\d{2})(\d{2})[_T-](\d{2})(\d{2})(\d{2})(?!\d)/g, // YYYYMMDD_HHMMSS, -, T
  /(?<!\d)(\d{4})-(\d{2})-(\d{2})_(\d{2})-(\d{2})-(\d{2})(?!\d)/g, // YYYY-MM-DD_HH-MM-SS
  /(?<!\d)(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?!\d)/g, // YYYY-MM-DDTHH:MM:SS
];

/**
 * The instant (ms, UTC) of the leftmost valid timestamp in a backup's name, or null when it
 * holds none. Impossible dates (month 13, 31 February, hour 24…) are not timestamps.
 */
export function parseNameTimestamp(name: string): number | null {
  let best: { index: number; ms: number } | null = null;
  for (const re of NAME_TIMESTAMPS) {
    for (const m of name.matchAll(re)) {
      const ms = validUtc(m.slice(1, 7).map(Number));
      if (ms !== null && (best === null || (m.index ?? 0) < best.index)) best = { index: m.index ?? 0, ms };
    }
  }
  return best?.ms ?? null;
}

function validUtc([y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0]: number[]): number | null {
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d ? ms : null; // 31 February rolls over: refused
}

/**
 * Collects the backups of every environment: files at depth 0 are `default`, files at depth 1
 * belong to their folder (named as spelled, bytes that are not UTF-8 escaped); dot-folders are
 * not environments. Returns null if aborted.
 */
export async function collectBackups(ctx: RunContext, scope: FileScope, folder: CategoryFolder): Promise<FileCandidate[] | null> {
  const found: FileCandidate[] = [];
  const ok = await walkCategoryFolder(ctx, 'backups', folder, { maxDepth: 1 }, (r) => {
    if (r.kind !== 'file') return;
    const parts = r.rel.split('/');
    const [folderName, name] = parts.length === 1 ? ['default', parts[0] ?? ''] : [parts[0] ?? '', parts[1] ?? ''];
    if (folderName.startsWith('.') || !isBackupName(name)) return;
    const env = r.raw ? displayPath(folderName) : folderName;
    const fromName = parseNameTimestamp(name);
    const age = fromName === null
      ? { timestampMs: r.mtimeMs, timestampSource: 'mtime' as const, env }
      : { timestampMs: fromName, timestampSource: 'name' as const, env };
    found.push(toCandidate(scope, folder, 'backups', r, age));
  });
  return ok ? found : null;
}

async function runBackups(ctx: RunContext): Promise<void> {
  const scope = await openFileScope(ctx);
  if (!scope) return;
  const folder = await openCategoryFolder(ctx, scope, 'backups', ctx.settings.paths.backups);
  if (!folder) return;
  const candidates = await collectBackups(ctx, scope, folder);
  if (!candidates) return;
  const decisions = planBackups(candidates, ctx.policy, planOptions(ctx));
  for (const d of decisions) {
    if (d.action === 'keep') ctx.report.kept?.({ category: 'backups', target: d.candidate.target, reason: d.reason });
  }
  // backup_archive set: what the policy does not keep is archived instead of deleted (issue 12).
  if (ctx.settings.backupArchive) return archiveBackups(ctx, scope, decisions, () => replan(ctx, scope, folder), parseNameTimestamp);
  await carryOutPlan(ctx, scope, 'backups', decisions, () => replan(ctx, scope, folder));
}

/**
 * The zone the retention buckets are cut in: the schedule's (`CLEANUP_TZ`, else the config's
 * `timezone`), else the machine's, as node-cron uses for the schedule itself.
 */
function planOptions(ctx: RunContext): BackupPlanOptions {
  return { tz: ctx.settings.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone, now: ctx.now };
}

/**
 * Right before deleting, collects and plans again with the same policy: a backup is deleted only
 * if the policy still removes it (another backup may have vanished meanwhile).
 * Keyed by path: two names can show alike (a byte that is not UTF-8 and a literal `\xff`).
 */
async function replan(ctx: RunContext, scope: FileScope, folder: CategoryFolder): Promise<StillDue> {
  const now = await collectBackups(ctx, scope, folder);
  if (!now) return () => 'the backups could not be listed again right before deleting';
  // `skip` counts as due here: the executor's own open-file check then gives the real reason.
  const due = new Set<string>();
  const kept = new Map<string, string>();
  for (const d of planBackups(now, ctx.policy, planOptions(ctx))) {
    if (d.action === 'keep') kept.set(d.candidate.path, d.reason);
    else due.add(d.candidate.path);
  }
  return (fresh) => {
    if (due.has(fresh.path)) return undefined;
    return `changed since it was planned (now ${kept.get(fresh.path) ?? 'no longer listed with the backups'})`;
  };
}

/** The `backups` category. */
export const backupsHandler: CategoryHandler = { category: 'backups', run: runBackups };
