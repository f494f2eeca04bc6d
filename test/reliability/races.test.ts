/**
 * Races (SPEC 3 rule 7): the built server with a schedule firing every second, waves of 50
 * concurrent real-run requests over a real socket, and two `--force` CLI processes at the same
 * time, against one root that a "dashboard" keeps filling (and partly cleaning itself) all along.
 * Read back from state.db: run intervals never overlap, no target is removed by two runs, no
 * vanished file is an error, the losers got 409 / exit 3.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../cli/cli-helpers.js';
import { createDashboardDb, insertRows, SCHEMAS } from '../helpers/db-fixtures.js';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { CLEANUP, CLI, integrityCheck, prng, sleep, startServer, track, until } from './helpers.js';
import type { RowShape } from '../../src/store/records.js';

const SOAK = process.env.CLEANUP_SOAK === '1';
/** Seeds which files the chaos loop deletes, so a failing run can be replayed. */
const SEED = 20_260_207;
const WAVES = SOAK ? 10 : 2;
const PER_WAVE = 50;

/** Scheduled runs recorded as finished so far. */
function scheduledRuns(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM runs WHERE trigger = 'schedule' AND finished_at IS NOT NULL").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function runCliForce(root: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = track(spawn(process.execPath, [CLI, '--force', '--json', '--root', root], { env: cliEnv(), stdio: 'ignore' }));
    child.on('exit', (code) => resolve(code));
  });
}

/** The runs columns this test reads (the store's own row type). */
type RunRow = Pick<RowShape, 'run_id' | 'trigger' | 'dry_run' | 'started_at' | 'finished_at' | 'status' | 'errors_total' | 'errors'>;

describe('one run at a time under attack', () => {
  it(`${WAVES} waves of ${PER_WAVE} concurrent real runs + 2 CLI --force + a schedule firing every second`, { timeout: 60_000 + WAVES * 10_000 }, async () => {
    const root = makeTempDir('cw-race-');
    const old = Date.now() - 90 * DAY;
    let made = 0;
    // The dashboard keeps producing old logs and temp files with unique names while we clean.
    const produce = (n: number) => {
      for (let i = 0; i < n; i++, made++) {
        writeFileAt(root, `logs/d${made % 7}/f${made}.log`, old, 'log');
        writeFileAt(root, `tmp/t${made % 5}/f${made}.tmp`, old, 'tmp');
      }
    };
    produce(1500);
    const db = createDashboardDb(root, SCHEMAS.taskQueue);
    insertRows(db, 'task_queue', Array.from({ length: 5000 }, (_, i) => ({ id: i + 1, status: 'completed', completed_at: new Date(old).toISOString() })));

    const server = await startServer(root, { CLEANUP_SCHEDULE: '* * * * * *' });
    const stateDb = path.join(root, '.cleanup/state.db');
    const statuses = new Map<number, number>();
    const busyRunIds = new Set<string>();
    const cliCodes: (number | null)[] = [];
    let chaosDeleted = 0;
    let stop = false;
    const random = prng(SEED);
    // Meanwhile: more files appear, and some old ones vanish under the cleanup (another tool).
    const churn = (async () => {
      while (!stop) {
        produce(40);
        for (let k = 0; k < 10; k++) {
          const victim = path.join(root, `logs/d${k % 7}/f${Math.floor(random() * made)}.log`);
          if (existsSync(victim)) {
            rmSync(victim, { force: true });
            chaosDeleted++;
          }
        }
        await sleep(15);
      }
    })();

    const t0 = Date.now();
    for (let w = 0; w < WAVES; w++) {
      const clis = [runCliForce(root), runCliForce(root)];
      const posts = Array.from({ length: PER_WAVE }, () =>
        fetch(`${server.url}${CLEANUP}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dry_run": false}' }).then(
          async (r) => {
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            const body = (await r.json()) as { run_id?: string };
            if (r.status === 409 && body.run_id) busyRunIds.add(body.run_id);
          },
        ),
      );
      await Promise.all(posts);
      cliCodes.push(...(await Promise.all(clis)));
      // Between waves the schedule fires: wait for its next run to be recorded as finished, not for a second to pass.
      const scheduled = scheduledRuns(stateDb);
      await until(() => scheduledRuns(stateDb) > scheduled, 30_000, `a scheduled run after wave ${w + 1}`);
    }
    stop = true;
    await churn;
    // A scheduled run in flight may be cut off by this SIGTERM: it is then recorded as interrupted.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const elapsed = Date.now() - t0;

    const state = new Database(path.join(root, '.cleanup/state.db'), { readonly: true });
    const runs = state.prepare('SELECT run_id, trigger, dry_run, started_at, finished_at, status, errors_total, errors FROM runs ORDER BY started_at').all() as RunRow[];
    const dup = state
      .prepare(
        `SELECT t.value AS target, count(DISTINCT b.run_id) AS n FROM run_item_blocks b, json_each(b.data, '$.t') t
          GROUP BY t.value HAVING n > 1 LIMIT 5`,
      )
      .all() as { target: string; n: number }[];
    const items = (state.prepare('SELECT coalesce(sum(count), 0) AS n FROM run_item_blocks').get() as { n: number }).n;
    state.close();

    // Exactly one at a time: sorted by start, each run starts after the previous one finished.
    for (const r of runs) expect(r.finished_at, `run ${r.run_id} never finished`).not.toBeNull();
    for (let i = 1; i < runs.length; i++) {
      const prev = runs[i - 1] as RunRow;
      const cur = runs[i] as RunRow;
      expect(Date.parse(cur.started_at), `${prev.trigger} run ${prev.run_id} [${prev.started_at}, ${prev.finished_at}] overlaps ${cur.trigger} run ${cur.run_id} [${cur.started_at}, …]`).toBeGreaterThanOrEqual(
        Date.parse(prev.finished_at as string),
      );
    }
    // No item removed twice; a vanished file is a skip, never an error of the run.
    expect(dup).toEqual([]);
    runs.forEach((r, i) => {
      // The SIGTERM at the end may cut off a scheduled run in progress: that one is `interrupted`.
      const last = i === runs.length - 1 && r.trigger === 'schedule';
      expect({ run: r.run_id, status: r.status, errors: r.errors }).toMatchObject({ status: last && r.status === 'interrupted' ? 'interrupted' : 'succeeded' });
      expect(r.errors_total).toBe(0);
    });
    // The losers were told: 409 naming a recorded run, CLI exit 3.
    expect([...statuses.keys()].every((s) => s === 200 || s === 409), JSON.stringify([...statuses])).toBe(true);
    expect(statuses.get(409) ?? 0).toBeGreaterThan(0);
    const ids = new Set(runs.map((r) => r.run_id));
    for (const id of busyRunIds) expect(ids.has(id), `409 named unknown run ${id}`).toBe(true);
    expect(cliCodes.every((c) => c === 0 || c === 3), JSON.stringify(cliCodes)).toBe(true);
    expect(runs.filter((r) => r.trigger === 'api')).toHaveLength(statuses.get(200) ?? 0);
    expect(runs.filter((r) => r.trigger === 'cli')).toHaveLength(cliCodes.filter((c) => c === 0).length);
    expect(runs.some((r) => r.trigger === 'schedule')).toBe(true);
    expect(integrityCheck(path.join(root, '.cleanup/state.db'))).toBe('ok');
    console.info(
      `[reliability] races: ${WAVES * PER_WAVE} POSTs (${[...statuses].map(([s, n]) => `${s}:${n}`).join(' ')}), ` +
        `${cliCodes.length} CLI --force (exit ${cliCodes.join(',')}), ${runs.length} runs recorded ` +
        `(${runs.filter((r) => r.trigger === 'schedule').length} scheduled), ${items} items, ${made} files made, ${chaosDeleted} deleted by chaos, ${elapsed} ms`,
    );
  });
});
