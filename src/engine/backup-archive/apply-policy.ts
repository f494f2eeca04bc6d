/**
 * Applies `archive_policy` to the target's listing in the same run, after the archiving: each
 * copy outside the policy is deleted there and reported as an item with its reason. Only
 * objects shaped `<env>/<name>` and carrying cleanup-worker's metadata are ever deleted, and only
 * those are counted by the rules: a foreign object (no metadata) takes no rule's slot, or a file
 * named newer than every copy would make the policy delete the copies it should keep.
 */
import type { RunContext } from '../context.js';
import { type ArchiveTarget, TargetError } from '../../targets/index.js';
import { mapLimit } from '../fs/limit.js';
import type { ArchivedObject, TargetRetention } from './retention.js';

/** Reads the timestamp in a backup's name (engine/categories/backups.ts parseNameTimestamp). */
export type NameTimestamp = (name: string) => number | null;

/**
 * Lists the target, decides with `retention`, and deletes (dry run: lists) the copies it does not
 * keep; the copies a rule keeps are reported as kept, with their reasons (the run's `kept`
 * list, `--explain`). `pending` are the copies this run archives (a dry run adds them to the listing, so it
 * predicts what a real run would delete). A listing or delete failure is an error, the run goes on.
 */
export async function applyArchivePolicy(
  ctx: RunContext,
  target: ArchiveTarget,
  retention: TargetRetention,
  nameTimestamp: NameTimestamp,
  pending: readonly ArchivedObject[],
): Promise<void> {
  let objects: ArchivedObject[];
  try {
    const shaped = (await target.list('')).flatMap((o) => {
      const parts = o.key.split('/');
      if (parts.length !== 2) return [];
      const [env = '', name = ''] = parts;
      return [{ key: o.key, env, name, size: o.size, timestampMs: timestampOf(name, nameTimestamp) ?? o.lastModifiedMs }];
    });
    objects = await ownCopies(ctx, target, shaped);
  } catch (err) {
    const message = `archive_policy not applied: ${(err as Error).message}`;
    if (ctx.dryRun) ctx.report.warning(message);
    else ctx.report.error({ category: 'backups', target: target.name, message });
    return;
  }
  if (ctx.dryRun) {
    const known = new Set(objects.map((o) => o.key));
    objects.push(...pending.filter((p) => !known.has(p.key)));
  }
  for (const d of retention(objects)) {
    if (d.action === 'keep' && !d.uncovered) ctx.report.kept?.({ category: 'backups', target: target.locationOf(d.object.key), reason: d.reason });
    if (d.action !== 'delete' || ctx.signal.aborted) continue;
    const item = { category: 'backups' as const, target: target.locationOf(d.object.key), bytes: d.object.size };
    if (ctx.dryRun) {
      ctx.report.item({ ...item, action: 'delete', reason: d.reason });
      continue;
    }
    // A run carrying out a checked plan deletes only the copies its gate admits.
    const gate = ctx.gate?.admit({ ...item, action: 'delete' }) ?? 'go';
    if (gate === 'outside') continue;
    if (gate !== 'go') {
      ctx.report.skipped({ category: 'backups', target: item.target, reason: gate.skip });
      continue;
    }
    const outcome = await deleteCopy(target, d.object.key);
    if (outcome === 'deleted') ctx.report.item({ ...item, action: 'delete', reason: d.reason });
    else if (outcome.skip) ctx.report.skipped({ category: 'backups', target: item.target, reason: outcome.skip });
    else ctx.report.error({ category: 'backups', target: item.target, message: outcome.error ?? 'failed' });
  }
}

/** Heads checked at once: a listing of thousands of copies should not open thousands of requests. */
const HEAD_CONCURRENCY = 8;

/**
 * The objects cleanup-worker wrote (its metadata present), in listing order; each foreign one is
 * reported as skipped and left out of the rules. Throws when the target cannot answer (the caller
 * then applies no policy at all).
 */
async function ownCopies(ctx: RunContext, target: ArchiveTarget, objects: readonly ArchivedObject[]): Promise<ArchivedObject[]> {
  const heads = await mapLimit(objects, HEAD_CONCURRENCY, (o) => target.head(o.key));
  return objects.filter((o, i) => {
    const head = heads[i];
    if (head?.meta) return true;
    if (head) ctx.report.skipped({ category: 'backups', target: target.locationOf(o.key), reason: FOREIGN });
    return false;
  });
}

const FOREIGN = 'not written by cleanup-worker (no metadata); left alone';

async function deleteCopy(target: ArchiveTarget, key: string): Promise<'deleted' | { skip?: string; error?: string }> {
  try {
    const head = await target.head(key);
    if (!head) return { skip: 'already gone' };
    if (!head.meta) return { skip: FOREIGN };
    await target.delete(key);
    return 'deleted';
  } catch (err) {
    return { error: err instanceof TargetError ? err.message : `delete failed: ${(err as Error).message}` };
  }
}

/** The name's timestamp; a compressed copy's name is the backup's name plus `.gz`. */
function timestampOf(name: string, nameTimestamp: NameTimestamp): number | null {
  return nameTimestamp(name.replace(/\.gz$/i, '')) ?? nameTimestamp(name);
}
