/**
 * Crashes (SPEC 1 "Archiving prompts", SPEC 3 rule 7): `kill -9` of the built server in the
 * middle of a real run over a large root, then a restart (or a CLI run) takes the lock over,
 * marks the run interrupted and completes the work. Every prompt ends in exactly one of
 * source/archive (none lost, values intact), nothing outside the policy is gone, and every
 * database passes `PRAGMA integrity_check`.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../cli/cli-helpers.js';
import { createDashboardDb, SCHEMAS } from '../helpers/db-fixtures.js';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { CLEANUP, CLI, integrityCheck, startServer, track, until } from './helpers.js';

const SOAK = process.env.CLEANUP_SOAK === '1';
// Enough logs and prompts that the work left after the kill threshold (1,000 logs, 3,000 prompts)
// takes far longer than the poll that notices it.
const N = { prompts: SOAK ? 200_000 : 30_000, tasks: SOAK ? 200_000 : 10_000, errors: 2_000, logs: SOAK ? 20_000 : 6_000 };

interface Big {
  root: string;
  db: string;
  oldLogs: number;
  recentLogs: string[];
}

let pristine: Big | null = null;

/** A fresh copy of the large root (built once, copied with its mtimes for the next test). */
function buildBig(): Big {
  if (!pristine) {
    pristine = makeBig(mkdtempSync(path.join(os.tmpdir(), 'cw-crash-pristine-')));
  }
  const root = makeTempDir('cw-crash-');
  cpSync(pristine.root, root, { recursive: true, preserveTimestamps: true });
  const move = (p: string) => path.join(root, path.relative(pristine?.root ?? '', p));
  return { root, db: move(pristine.db), oldLogs: pristine.oldLogs, recentLogs: pristine.recentLogs.map(move) };
}

afterAll(() => {
  if (pristine) rmSync(pristine.root, { recursive: true, force: true });
});

/** A large root: old and recent logs, finished/pending tasks, resolved errors, old/new prompts. */
function makeBig(root: string): Big {
  const now = Date.now();
  const old = now - 90 * DAY;
  for (let i = 0; i < N.logs; i++) writeFileAt(root, `logs/d${i % 20}/old-${i}.log`, old, 'old');
  const recentLogs = Array.from({ length: 50 }, (_, i) => writeFileAt(root, `logs/d${i % 20}/recent-${i}.log`, now - DAY, 'recent'));
  const db = createDashboardDb(root, SCHEMAS.taskQueue, SCHEMAS.errorsResolved, SCHEMAS.assignerPrompts);
  const conn = new Database(db);
  const iso = (ms: number) => new Date(ms).toISOString();
  conn.transaction(() => {
    const task = conn.prepare('INSERT INTO task_queue (id, title, status, completed_at, created_at) VALUES (?, ?, ?, ?, ?)');
    // Every 10th task is recent or pending: outside the policy, it must survive everything.
    for (let i = 1; i <= N.tasks; i++) {
      if (i % 10 === 0) task.run(i, `keep ${i}`, i % 20 === 0 ? 'pending' : 'completed', i % 20 === 0 ? null : iso(now - DAY), iso(old));
      else task.run(i, `old ${i}`, 'completed', iso(old), iso(old));
    }
    const err = conn.prepare('INSERT INTO errors (id, message, resolved, resolved_at, created_at) VALUES (?, ?, ?, ?, ?)');
    for (let i = 1; i <= N.errors; i++) err.run(i, `e${i}`, i % 10 === 0 ? 0 : 1, iso(old), iso(old));
    const prompt = conn.prepare('INSERT INTO assigner_prompts (id, prompt, score, payload, created_at) VALUES (?, ?, ?, ?, ?)');
    for (let i = 1; i <= N.prompts; i++) prompt.run(i, `prompt ${i} ${'x'.repeat(i % 50)}`, i / 7, Buffer.from([i % 256, 1, 2]), iso(i % 100 === 0 ? now - DAY : old));
  })();
  conn.close();
  return { root, db, oldLogs: N.logs, recentLogs };
}

type Row = { id: number; prompt: string; score: number; payload: Buffer; created_at: string };

/**
 * Prompts by their id in the dashboard: the source rowid, which the archive keeps in
 * `_cleanup_source_rowid` (its own rowid is its own).
 */
function prompts(file: string, key = 'rowid'): Map<number, string> {
  if (!existsSync(file)) return new Map();
  const c = new Database(file, { readonly: true });
  const rows = c.prepare(`SELECT ${key} AS id, prompt, score, payload, created_at FROM assigner_prompts`).all() as Row[];
  c.close();
  return new Map(rows.map((r) => [r.id, JSON.stringify([r.prompt, r.score, r.payload.toString('hex'), r.created_at])]));
}

function taskIds(file: string): { keep: number; old: number } {
  const c = new Database(file, { readonly: true });
  const r = c.prepare("SELECT sum(id % 10 = 0) AS keep, sum(id % 10 != 0) AS old FROM task_queue").get() as { keep: number; old: number };
  c.close();
  return { keep: r.keep ?? 0, old: r.old ?? 0 };
}

/**
 * Items of `category` the running run has recorded in state.db (blocks are counted by their first
 * item's category). An item is recorded only after it was removed, so this is a lower bound of
 * the work done, read from the very database a restart reads.
 */
function recorded(state: Database.Database, category: string): { runId: string; items: number } | null {
  const run = state.prepare("SELECT run_id FROM runs WHERE status = 'running'").get() as { run_id: string } | undefined;
  if (!run) return null;
  const items = state
    .prepare("SELECT coalesce(sum(count), 0) AS n FROM run_item_blocks WHERE run_id = ? AND json_extract(data, '$.keys[0][0]') = ?")
    .get(run.run_id, category) as { n: number };
  return { runId: run.run_id, items: items.n };
}

/**
 * Starts a real run and SIGKILLs the server as soon as state.db shows at least `threshold` items
 * of `category` removed: a point inside the category set by the work done, not by a timer, so a
 * faster or a busier machine kills at the same place.
 */
async function killDuring(big: Big, category: string, threshold: number): Promise<{ runId: string; itemsAtKill: number; runMs: number }> {
  const server = await startServer(big.root);
  const t0 = Date.now();
  const post = fetch(`${server.url}${CLEANUP}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dry_run": false}' }).catch(
    () => null,
  );
  const state = new Database(path.join(big.root, '.cleanup/state.db'), { readonly: true, fileMustExist: true });
  try {
    const at = await until(
      () => {
        const r = recorded(state, category);
        return r && r.items >= threshold ? r : null;
      },
      60_000,
      `${threshold} ${category} items recorded`,
    );
    server.child.kill('SIGKILL');
    await server.exited;
    expect(await post, 'the killed run must not have answered').toBeNull();
    return { runId: at.runId, itemsAtKill: at.items, runMs: Date.now() - t0 };
  } finally {
    state.close();
  }
}

function checkAfter(big: Big, original: Map<number, string>): void {
  const source = prompts(big.db);
  const archive = prompts(path.join(big.root, 'archive/prompts.db'), '_cleanup_source_rowid');
  const both = [...source.keys()].filter((id) => archive.has(id));
  expect(both, 'prompts in both source and archive').toEqual([]);
  expect(source.size + archive.size, 'prompts lost').toBe(original.size);
  for (const [id, v] of [...source, ...archive]) expect(v, `prompt ${id} changed`).toBe(original.get(id));
  // Only old prompts were archived; the recent ones (every 100th) are all in the source.
  for (const id of archive.keys()) expect(id % 100, `recent prompt ${id} archived`).not.toBe(0);
  expect([...source.keys()].every((id) => id % 100 === 0)).toBe(true);
  // Outside the policy: every 10th task, recent logs.
  expect(taskIds(big.db)).toEqual({ keep: N.tasks / 10, old: 0 });
  for (const f of big.recentLogs) expect(existsSync(f), f).toBe(true);
  expect(oldLogsLeft(big.root)).toBe(0);
  for (const f of ['.cleanup/state.db', 'architect.db', 'archive/prompts.db']) expect(integrityCheck(path.join(big.root, f)), f).toBe('ok');
}

function oldLogsLeft(root: string): number {
  return readdirSync(path.join(root, 'logs'), { recursive: true }).filter((n) => String(n).includes('old-')).length;
}

function runRow(root: string, runId: string) {
  const c = new Database(path.join(root, '.cleanup/state.db'), { readonly: true });
  const row = c.prepare('SELECT status, finished_at FROM runs WHERE run_id = ?').get(runId) as { status: string; finished_at: string | null };
  c.close();
  return row;
}

describe('kill -9 in the middle of a real run', () => {
  it('while archiving prompts: a restart marks it interrupted, takes the lock, and the next run completes the move', { timeout: 120_000 }, async () => {
    const big = buildBig();
    const original = prompts(big.db);
    const killed = await killDuring(big, 'prompts', 3_000);
    const source = prompts(big.db);
    const archived = prompts(path.join(big.root, 'archive/prompts.db'), '_cleanup_source_rowid');
    const [midSource, midArchive] = [source.size, archived.size];
    // The kill landed inside the archive: at least the recorded prompts moved, and old ones had not yet.
    expect(midArchive, 'prompts archived at the kill').toBeGreaterThanOrEqual(killed.itemsAtKill);
    const oldNotMoved = [...source.keys()].filter((id) => id % 100 !== 0 && !archived.has(id)).length;
    expect(oldNotMoved, 'the kill came after the whole archive').toBeGreaterThan(0);
    expect(midSource + midArchive).toBeGreaterThanOrEqual(original.size); // in both, never in neither
    expect(runRow(big.root, killed.runId).status).toBe('running');

    const server = await startServer(big.root);
    const run = (await (await fetch(`${server.url}${CLEANUP}/runs/${killed.runId}`)).json()) as { run: { status: string; finished_at: string } };
    expect(run.run.status).toBe('interrupted');
    expect(run.run.finished_at).not.toBeNull();
    const next = await fetch(`${server.url}${CLEANUP}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dry_run": false}' });
    expect(next.status).toBe(200);
    const result = (await next.json()) as { status: string; errors: unknown[] };
    expect(result).toMatchObject({ status: 'succeeded', errors: [] });
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    checkAfter(big, original);
    console.info(
      `[reliability] crash (prompts): ${N.prompts} prompts, ${N.tasks} tasks, ${N.logs} logs; killed after ${killed.runMs} ms at ` +
        `${killed.itemsAtKill} items, ${midArchive} archived / ${midSource} in source at the kill (${midSource + midArchive - original.size} in both)`,
    );
  });

  it('while deleting logs: a CLI --force takes the dead server’s lock over and completes the run', { timeout: 120_000 }, async () => {
    const big = buildBig();
    const original = prompts(big.db);
    const killed = await killDuring(big, 'logs', 1_000);
    expect(runRow(big.root, killed.runId).status).toBe('running');
    // The kill landed inside the log deletion: the recorded ones are gone, old ones remain.
    const leftAtKill = oldLogsLeft(big.root);
    expect(leftAtKill, 'old logs left at the kill').toBeLessThanOrEqual(N.logs - killed.itemsAtKill);
    expect(leftAtKill, 'the kill came after every log was deleted').toBeGreaterThan(0);
    const code = await new Promise<number | null>((resolve) => {
      const child = track(spawn(process.execPath, [CLI, '--force', '--json', '--root', big.root], { env: cliEnv(), stdio: 'ignore' }));
      child.on('exit', resolve);
    });
    expect(code).toBe(0);
    expect(runRow(big.root, killed.runId)).toMatchObject({ status: 'interrupted', finished_at: expect.any(String) });
    checkAfter(big, original);
    console.info(
      `[reliability] crash (logs): killed after ${killed.runMs} ms at ${killed.itemsAtKill} items, ${leftAtKill} of ${N.logs} old logs left; CLI took over, exit ${code}`,
    );
  });
});
