/**
 * The archive sink of the backups category (config `backup_archive`): a backup the policy does
 * not keep is archived instead of deleted (action `archive`, its reason naming the rule and where
 * it goes), then `archive_policy` is applied to the target. A dry run lists the same items and
 * reasons, plus the archived copies the policy would delete, and touches nothing.
 */
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Decision, FileCandidate } from '../../domain/types.js';
import { ensureDirUnderRoot } from '../../safety/safe-path.js';
import { type ArchiveTarget, createTarget } from '../../targets/index.js';
import type { RunContext } from '../context.js';
import type { PrepareStillDue } from '../fs/file-executor.js';
import { type FileScope, refreshOpenFiles } from '../fs/scope.js';
import { type ArchiveRun, finishArchive, type PreparedArchive, prepareArchive } from './archive-one.js';
import { applyArchivePolicy, type NameTimestamp } from './apply-policy.js';
import { type ArchivePlace, placeOf } from './naming.js';
import { type ArchivedObject, archiveRetention, type TargetRetention } from './retention.js';

/** The spool folder for compressed files, under the state folder (the service's own). */
export const SPOOL_FOLDER = 'archive-spool';

interface Planned {
  candidate: FileCandidate;
  place: ArchivePlace;
  reason: string;
}

/**
 * Carries out the backups plan with archiving: reports `skip` decisions, archives each `delete`
 * decision (dry run: lists it), then applies archive_policy. Never throws for operational problems.
 * `prepare` is the backups category's re-plan (see carryOutPlan); `nameTimestamp` reads a
 * backup name's timestamp.
 */
export async function archiveBackups(
  ctx: RunContext,
  scope: FileScope,
  decisions: readonly Decision<FileCandidate>[],
  prepare: PrepareStillDue,
  nameTimestamp: NameTimestamp,
): Promise<void> {
  const cfg = ctx.settings.backupArchive;
  if (!cfg) throw new TypeError('archiveBackups needs settings.backupArchive');
  const target = createTarget(ctx.settings.root, cfg.target);
  try {
    const planned = planArchive(ctx, decisions, target, cfg.compress);
    if (ctx.dryRun) {
      for (const p of planned) ctx.report.item({ category: 'backups', target: p.candidate.target, bytes: p.candidate.size, action: 'archive', reason: p.reason });
    } else if (planned.length > 0 && !ctx.signal.aborted) {
      await archiveAll(ctx, scope, target, cfg.compress, planned, prepare);
    }
    if (ctx.settings.archivePolicy && !ctx.signal.aborted) {
      const pending = planned.map((p) => asArchived(p, nameTimestamp, ctx.now));
      await applyArchivePolicy(ctx, target, retentionFor(ctx, target), nameTimestamp, pending);
    }
  } finally {
    target.close();
  }
}

/**
 * The retention of archived copies: archive_policy's restic-style rules, buckets cut in the same
 * zone as the backups' own (the schedule's, else the machine's), counted from the run's clock.
 */
function retentionFor(ctx: RunContext, target: ArchiveTarget): TargetRetention {
  const tz = ctx.settings.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  return archiveRetention(ctx.settings.archivePolicy ?? {}, { targetName: target.name, tz, now: ctx.now });
}

function planArchive(ctx: RunContext, decisions: readonly Decision<FileCandidate>[], target: ArchiveTarget, compress: boolean): Planned[] {
  const planned: Planned[] = [];
  for (const d of decisions) {
    const c = d.candidate;
    if (d.action === 'skip' && (!ctx.gate || ctx.gate.covers('backups', c.target))) ctx.report.skipped({ category: 'backups', target: c.target, reason: d.reason });
    if (d.action !== 'delete' && d.action !== 'archive') continue;
    // A run carrying out a checked plan archives only what its gate admits.
    const gate = ctx.gate?.admit({ category: 'backups', target: c.target, bytes: c.size, action: 'archive', mtimeMs: c.mtimeMs }) ?? 'go';
    if (gate === 'outside') continue;
    if (gate !== 'go') {
      ctx.report.skipped({ category: 'backups', target: c.target, reason: gate.skip });
      continue;
    }
    const place = placeOf(d.candidate, compress);
    if ('reason' in place) {
      ctx.report.skipped({ category: 'backups', target: d.candidate.target, reason: place.reason });
      continue;
    }
    planned.push({ candidate: d.candidate, place, reason: `${d.reason}; archived to ${target.locationOf(place.key)}` });
  }
  return planned;
}

async function archiveAll(ctx: RunContext, scope: FileScope, target: ArchiveTarget, compress: boolean, planned: readonly Planned[], prepare: PrepareStillDue): Promise<void> {
  await ctx.beforeExecute?.('backups');
  await refreshOpenFiles(scope);
  const stillDue = await prepare();
  let spoolDir: string;
  try {
    spoolDir = await openSpool(ctx);
  } catch (err) {
    const message = `not archived: the spool folder cannot be used (${(err as Error).message}); the backup stays`;
    for (const p of planned) ctx.report.error({ category: 'backups', target: p.candidate.target, message });
    ctx.report.raise?.('archive.failed');
    return;
  }
  const run: ArchiveRun = { ctx, scope, target, compress, spoolDir, stillDue, parents: new Map(), broken: null };
  let done = 0;
  // The next backup is read, hashed and compressed (zlib works off the main thread) while this one
  // is stored: two backups compress at once when uploads are quick; each is stored, re-checked
  // and removed one at a time, in plan order.
  const start = (i: number): Promise<Settled> => settle(prepareArchive((planned[i] as Planned).candidate, run));
  let ahead: Promise<Settled> | null = planned.length > 0 ? start(0) : null;
  for (let i = 0; ahead !== null; i++) {
    const current = ahead;
    ahead = null;
    if (ctx.signal.aborted) {
      await discard(current);
      break;
    }
    if (i + 1 < planned.length) ahead = start(i + 1);
    const p = planned[i] as Planned;
    const c = p.candidate;
    let outcome: Awaited<ReturnType<typeof finishArchive>>;
    try {
      outcome = await finishArchive(unwrap(await current), run);
    } catch (err) {
      if (ahead) await discard(ahead);
      throw err;
    }
    if (outcome.kind === 'archived') ctx.report.item({ category: 'backups', target: c.target, bytes: c.size, action: 'archive', reason: p.reason });
    else if (outcome.kind === 'skipped') ctx.report.skipped({ category: 'backups', target: c.target, reason: outcome.reason });
    else {
      ctx.report.error({ category: 'backups', target: c.target, message: outcome.message });
      ctx.report.raise?.('archive.failed'); // webhooks and email hear of it once per run (issue 13)
    }
    ctx.report.progress('backups', 'executing', ++done);
  }
}

/** A prepared backup or what its preparation threw, held until its turn (never an unhandled rejection). */
type Settled = { ok: PreparedArchive } | { err: unknown };

function settle(p: Promise<PreparedArchive>): Promise<Settled> {
  return p.then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err }),
  );
}

function unwrap(s: Settled): PreparedArchive {
  if ('err' in s) throw s.err;
  return s.ok;
}

/** A backup prepared ahead but not stored (the run was stopped): its spool file goes, the backup stays. */
async function discard(p: Promise<Settled>): Promise<void> {
  const s = await p;
  if ('ok' in s && s.ok.kind === 'prepared' && s.ok.src.spool) await unlink(s.ok.src.path).catch(() => {});
}

/**
 * The spool folder, created under the state folder without following links; spool files a
 * killed run left behind are removed (only this run, which holds the lock, writes there).
 */
async function openSpool(ctx: RunContext): Promise<string> {
  const dir = ensureDirUnderRoot(ctx.settings.root, `${ctx.settings.paths.state}/${SPOOL_FOLDER}`, 'archive spool folder');
  for (const name of await readdir(dir)) {
    if (!name.endsWith('.partial')) continue;
    const p = path.join(dir, name);
    if ((await lstat(p)).isFile()) await unlink(p).catch(() => {});
  }
  return dir;
}

/** A copy this run archives, as the listing will show it (stored now; its size estimated by the original's). */
function asArchived(p: Planned, nameTimestamp: NameTimestamp, now: number): ArchivedObject {
  const name = p.place.key.split('/')[1] ?? p.place.name;
  return { key: p.place.key, env: p.place.env, name, size: p.candidate.size, timestampMs: nameTimestamp(p.place.name) ?? now };
}
