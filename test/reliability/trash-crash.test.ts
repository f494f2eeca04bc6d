/**
 * kill -9 and the trash (issue 15 section 3): a real process running the built engine kills itself
 * with SIGKILL at a deterministic point (a test hook: after the Nth file moved into the trash, after
 * rows were copied, between a restore's link and unlink, between a row restore's two commits).
 * Afterwards every item is in exactly one place (a file in its folder or the trash, one inode; a row
 * in the dashboard or trash.db, identical when a crash left it in both for the next step), and the
 * next run or restore converges: nothing lost, nothing twice, nothing outside the policy touched.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startNodeScript } from '../helpers/node-child.js';
import { DAY, NOW, writeFileAt } from '../helpers/temp-root.js';
import { filesUnder, rowsOf, runWith, trashRoot, trashSettings } from '../helpers/trash-fixtures.js';

const LOGS = 40;

/** A trash root with LOGS old logs more. */
function crashRoot() {
  const f = trashRoot();
  for (let i = 0; i < LOGS; i++) writeFileAt(f.root, `logs/many/old-${i}.log`, NOW - 40 * DAY, `log ${i}`);
  return f;
}

/**
 * Runs the built engine in a child process on `root` with the trash on, `restore` or a cleanup,
 * with `hook` (JavaScript: the body of a trash hook) killing it; resolves with how it ended and the
 * run id it printed first.
 */
async function killedRun(root: string, hook: string, restore?: { runId: string; category?: string }): Promise<{ signal: string | null; runId: string }> {
  const child = startNodeScript(`
    const { loadSettings } = await import(dist('src/config/settings.js'));
    const { openStateStore } = await import(dist('src/store/state-store.js'));
    const { createEngine } = await import(dist('src/engine/engine.js'));
    const settings = { ...loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root: ${JSON.stringify(root)} }), trash: { keepHours: 72, minFreePercent: null } };
    const store = openStateStore(settings);
    const quiet = { info() {}, warn() {}, error() {}, debug() {} };
    let n = 0;
    const die = () => process.kill(process.pid, 'SIGKILL');
    const listeners = [{ onEvent(e) { if (e.type === 'run.started') console.log(JSON.stringify({ run_id: e.run_id })); } }];
    await createEngine({ settings, store, logger: quiet, listeners }).runOnce({
      trigger: 'cli', dryRun: false, now: ${NOW},
      ${restore ? `restore: ${JSON.stringify(restore)},` : ''}
      trashHooks: { ${hook} },
    });
    console.log(JSON.stringify({ finished: true }));`);
  const exited = await child.exited;
  let runId = '';
  try {
    runId = ((await child.next()) as { run_id?: string }).run_id ?? '';
  } catch {
    // It printed nothing: the kill came before the run started.
  }
  return { signal: exited === null ? child.child.signalCode : String(exited), runId };
}

/** The run id of the running (killed) run in the history, read from state.db. */
function killedRunId(root: string): string {
  const db = new Database(path.join(root, '.cleanup/state.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT run_id FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1`).get() as { run_id: string }).run_id;
  } finally {
    db.close();
  }
}

/** Old log names (relative to logs/) found in the logs folder and in the whole trash. */
function logPlaces(root: string): { inPlace: string[]; inTrash: string[] } {
  const inPlace = filesUnder(path.join(root, 'logs')).filter((f) => f.includes('old-'));
  const inTrash = filesUnder(path.join(root, '.cleanup/trash'))
    .filter((f) => f.includes('/logs/') && f.includes('old-'))
    .map((f) => f.slice(f.indexOf('/logs/') + '/logs/'.length));
  return { inPlace, inTrash };
}

describe('kill -9 with the trash on', { timeout: 60_000 }, () => {
  it('after the 10th file moved into the trash: every log is in exactly one place, and the next run and a restore converge', async () => {
    const { root } = crashRoot();
    const k = await killedRun(root, `afterMove: () => { if (++n === 10) die(); }`);
    expect(k.signal).toBe('SIGKILL');
    const killed = killedRunId(root);
    const mid = logPlaces(root);
    expect(mid.inTrash.length).toBeGreaterThanOrEqual(10);
    expect([...mid.inPlace, ...mid.inTrash].sort()).toEqual(allOldLogs());
    expect(mid.inPlace.filter((f) => mid.inTrash.includes(f))).toEqual([]);

    // The next run takes the lock over, marks the killed run interrupted and trashes the rest.
    const next = await runWith(trashSettings(root));
    expect(next.status).toBe('succeeded');
    const after = logPlaces(root);
    expect(after.inPlace).toEqual([]);
    expect(after.inTrash.sort()).toEqual(allOldLogs());
    expect(existsSync(path.join(root, 'logs/recent.log'))).toBe(true);

    // What the killed run moved (recorded or not) comes back with a restore of that run.
    const restored = await runWith(trashSettings(root), { restore: { runId: killed } });
    expect(restored.items.filter((i) => i.category === 'logs').length).toBe(mid.inTrash.length);
    expect(logPlaces(root).inPlace.sort()).toEqual([...mid.inTrash].sort());
  });

  it('after rows were copied into trash.db and before they left the dashboard: the next run completes the move, a restore brings them back once', async () => {
    const { root, db } = crashRoot();
    const before = rowsOf(db, 'task_queue');
    await killedRun(root, `afterRowCopy: () => die()`);
    const killed = killedRunId(root);
    const copies = rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue');
    expect(copies.size).toBe(2);
    expect(rowsOf(db, 'task_queue')).toEqual(before); // in both, identical: never in neither
    const next = await runWith(trashSettings(root));
    expect(next.status).toBe('succeeded');
    expect([...rowsOf(db, 'task_queue').keys()].sort()).toEqual([3, 4]);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(2); // not copied twice
    const restored = await runWith(trashSettings(root), { restore: { runId: killed, category: 'tasks' } });
    expect(restored.errors).toEqual([]);
    expect(rowsOf(db, 'task_queue')).toEqual(before);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(0);
  });

  it('during a restore, between link and unlink: one file with two names, and the next run finishes the restore', async () => {
    const { root } = crashRoot();
    const first = await runWith(trashSettings(root));
    await killedRun(root, `afterRestoreLink: (t) => { if (t.endsWith('.log') && ++n === 5) die(); }`, { runId: first.run_id });
    const trashDir = path.join(root, '.cleanup/trash', first.run_id);
    const mid = logPlaces(root);
    const both = mid.inPlace.filter((f) => mid.inTrash.includes(f));
    expect(both).toHaveLength(1);
    // The same file under two names, not a copy: one inode.
    const a = statSync(path.join(root, 'logs', both[0] as string));
    const b = statSync(path.join(trashDir, 'logs', both[0] as string));
    expect([a.ino, a.nlink]).toEqual([b.ino, 2]);
    expect([...new Set([...mid.inPlace, ...mid.inTrash])].sort()).toEqual(allOldLogs());

    // The next cleanup run completes the interrupted restore first (then cleans as usual).
    const next = await runWith(trashSettings(root), { now: NOW + 3_600_000 });
    const completed = next.items.filter((i) => i.action === 'restore');
    // Everything the run trashed (LOGS + 2 logs, a temp file, 3 rows) but the 4 logs restored before the kill.
    expect(completed.length).toBe(LOGS + 2 + 1 + 3 - 4);
    expect(completed[0]?.reason).toMatch(/completing restore run .* which was interrupted/);
    const after = logPlaces(root);
    expect(filesUnder(trashDir)).toEqual([]);
    expect(after.inTrash).toEqual([]);
    expect(after.inPlace.sort()).toEqual(allOldLogs());
    for (const f of after.inPlace) expect(statSync(path.join(root, 'logs', f)).nlink).toBe(1);
    // What came back is held: that run (still under the old policy) kept it instead of trashing it again.
    expect(next.skipped.filter((s) => /restored from the trash by run/.test(s.reason))).toHaveLength(LOGS + 2 + 1 + 3);
  });

  it('during a row restore, between its two commits: rows in both, identical, and the next restore converges', async () => {
    const { root, db } = crashRoot();
    const before = rowsOf(db, 'task_queue');
    const first = await runWith(trashSettings(root));
    await killedRun(root, `afterRowRestore: () => die()`, { runId: first.run_id, category: 'tasks' });
    expect(rowsOf(db, 'task_queue')).toEqual(before);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(2);
    const again = await runWith(trashSettings(root), { restore: { runId: first.run_id, category: 'tasks' } });
    expect(again.errors).toEqual([]);
    expect(rowsOf(db, 'task_queue')).toEqual(before);
    expect(rowsOf(path.join(root, '.cleanup/trash/trash.db'), 'task_queue').size).toBe(0);
  });
});

function allOldLogs(): string[] {
  return ['app/old-b.log', 'old-a.log', ...Array.from({ length: LOGS }, (_, i) => `many/old-${i}.log`)].sort();
}
