/**
 * GET /status is served from caches (store/run-view.ts), yet it must be exactly as fresh as a
 * query per request: a run started, advanced, finished or abandoned by another process (the CLI)
 * shows on the very next call. A real second process drives the state store step by step.
 */
import { describe, expect, it } from 'vitest';
import { makeHttpFixture, type HttpFixture } from '../helpers/http-app.js';
import { type ScriptProcess, startNodeScript } from '../helpers/node-child.js';

const STATUS = '/api/system/cleanup/status';

/** A CLI-like process on `root`: each stdin line is one store call, each answer one JSON line. */
function storeProcess(root: string): ScriptProcess {
  return startNodeScript(`
    const { loadSettings } = await import(dist('src/config/settings.js'));
    const { openStateStore } = await import(dist('src/store/state-store.js'));
    const store = openStateStore(loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root: ${JSON.stringify(root)} }));
    const zero = { backups_deleted: 0, logs_deleted: 0, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 0 };
    let runId = null;
    process.stdin.setEncoding('utf8');
    let buf = '';
    process.stdin.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
        const [cmd, arg] = buf.slice(0, i).split(' ');
        buf = buf.slice(i + 1);
        if (cmd === 'start') runId = store.startRun({ trigger: 'cli', dryRun: false, settings: {} });
        if (cmd === 'progress') store.updateProgress(runId, { category: 'logs', phase: 'deleting', items_so_far: Number(arg) });
        if (cmd === 'finish') store.finishRun(runId, { status: 'succeeded', finishedAt: arg, stats: { ...zero, logs_deleted: 5 },
          itemsTotal: 5, skippedTotal: 0, errorsTotal: 0, warnings: [], skipped: [], errors: [] });
        console.log(JSON.stringify({ done: cmd, run_id: runId }));
        if (cmd === 'exit') { store.close(); process.exit(0); }
      }
    });
    console.log(JSON.stringify({ ready: true }));`);
}

type Status = {
  last_run: string | null;
  last_stats: Record<string, number> | null;
  running: { run_id: string; trigger: string; pid: number; progress: { phase: string | null; items_so_far: number } } | null;
};

/** Several calls in a row, so that any cache is filled and warm; returns the last answer. */
async function statusTimes(f: HttpFixture, n = 5): Promise<Status> {
  let body: Status | null = null;
  for (let i = 0; i < n; i++) body = (await f.app.inject({ method: 'GET', url: STATUS })).json() as Status;
  return body as Status;
}

/** One call: the one right after the other process's change. */
async function statusOnce(f: HttpFixture): Promise<Status> {
  return (await f.app.inject({ method: 'GET', url: STATUS })).json() as Status;
}

describe('/status freshness against another process', () => {
  it("shows a CLI run's start, progress and result on the very next call", async () => {
    const f = makeHttpFixture();
    const cli = storeProcess(f.root);
    expect(await cli.next()).toEqual({ ready: true });
    expect(await statusTimes(f)).toMatchObject({ running: null, last_run: null, last_stats: null });

    cli.send('start');
    const { run_id } = await cli.next<{ run_id: string }>();
    expect((await statusOnce(f)).running).toMatchObject({ run_id, trigger: 'cli', pid: cli.child.pid, progress: { items_so_far: 0 } });
    await statusTimes(f);

    cli.send('progress 1234');
    await cli.next();
    expect((await statusOnce(f)).running).toMatchObject({ run_id, progress: { phase: 'deleting', items_so_far: 1234 } });
    await statusTimes(f);

    const finishedAt = '2026-02-07T19:07:36.000Z';
    cli.send(`finish ${finishedAt}`);
    await cli.next();
    expect(await statusOnce(f)).toMatchObject({ running: null, last_run: finishedAt, last_stats: { logs_deleted: 5 } });

    // A second run by the same process: the cache moves on again, and back to null when it ends.
    await statusTimes(f);
    cli.send('start');
    const second = (await cli.next<{ run_id: string }>()).run_id;
    expect((await statusOnce(f)).running?.run_id).toBe(second);
    cli.send('exit');
    expect(await cli.exited).toBe(0);
  });

  it('drops a run whose process was killed on the very next call, though the history did not change', async () => {
    const f = makeHttpFixture();
    const cli = storeProcess(f.root);
    await cli.next();
    cli.send('start');
    const { run_id } = await cli.next<{ run_id: string }>();
    expect((await statusTimes(f)).running?.run_id).toBe(run_id);
    cli.child.kill('SIGKILL');
    await cli.exited;
    // Nothing was written to state.db: only the owner's liveness says the run is over.
    expect((await statusOnce(f)).running).toBeNull();
  });

  it("shows this server's own real run as last_run right after it", async () => {
    const f = makeHttpFixture();
    expect((await statusTimes(f)).last_run).toBeNull();
    const res = await f.app.inject({ method: 'POST', url: '/api/system/cleanup', payload: { dry_run: false } });
    expect(res.statusCode).toBe(200);
    const last = f.store.getRun(res.json().run_id);
    expect(await statusOnce(f)).toMatchObject({ running: null, last_run: last?.finished_at });
  });
});
