/**
 * Goals 4 and 5, in ONE server process (the real buildApp, wired like src/server.ts):
 * - requests/s of GET /api/system/cleanup/status vs a bare route on the same instance,
 *   closed-loop load from a separate process, interleaved;
 * - an open-loop poller's latency on /status, idle and during a real cleanup of the whole tree
 *   plus the tasks table (POST /api/system/cleanup, dry_run false) while the dashboard writes;
 * - then the history of that run: state-store write transactions, and paging GET /runs/:id.
 */
import { copyFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { runOnceChild, spawnChild } from '../child.js';
import type { LoadJob, LoadResult } from '../children/loadgen-child.js';
import type { PollResult } from '../children/poller-child.js';
import type { ServerInfo } from '../children/server-child.js';
import type { LoopDelay } from '../loop-delay.js';
import { syncDisks } from '../commands.js';
import { absCheck, type GoalResult, ratioCheck, say } from '../results.js';
import { median } from '../stats.js';
import type { StoreTiming } from '../timed-store.js';
import { removeTree } from '../workdir.js';
import { withWriter } from './database.js';
import { ms } from './files.js';
import { openPanel } from './panel.js';

export interface HttpContext {
  work: string;
  treeRoot: string;
  tasksDb: string;
  repeat: number;
  loadSeconds: number;
  concurrency: number;
  pollMs: number;
  writerMs: number;
  history: boolean;
  /** Keep the panel open in a browser during the big run (goal 7's /status p99). */
  panel: boolean;
}

const STATUS = '/api/system/cleanup/status';
const BARE = '/bench/bare';

/** One HTTP request from the harness; resolves with status, parsed JSON and wall time. */
export function httpJson(method: string, url: string, body?: unknown): Promise<{ status: number; json: unknown; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, headers: data ? { 'content-type': 'application/json' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json, ms: performance.now() - t0 });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function poll(url: string, intervalMs: number, during: () => Promise<unknown>): Promise<PollResult> {
  const p = await spawnChild<{ pid: number }>('poller-child', { url, intervalMs });
  try {
    await during();
    return await p.stop<PollResult>();
  } catch (err) {
    p.kill();
    throw err;
  }
}

/** Goal 4 (and 5 when asked). */
export async function benchHttp(c: HttpContext): Promise<GoalResult[]> {
  // The last goal: it consumes the master tree (the real run removes its old half).
  const root = c.treeRoot;
  removeTree(path.join(root, '.cleanup'));
  removeTree(path.join(root, 'logs', 'cleanup_worker.log'));
  copyFileSync(c.tasksDb, path.join(root, 'architect.db'));
  const server = await spawnChild<ServerInfo>('server-child', { root });
  const base = `http://127.0.0.1:${server.info.port}`;
  try {
    const fresh = await measureThroughput(c, base, server, 'no history yet');
    syncDisks();
    const idle = await poll(base + STATUS, c.pollMs, () => new Promise((r) => setTimeout(r, 3000)));
    say(`http: idle poller p50 ${idle.latency.p50} ms, p99 ${idle.latency.p99} ms`);
    const cleanup = await measureDuringCleanup(c, root, base, server);
    // The steady state of a service that has run: /status now reads a finished real run.
    const after = await measureThroughput(c, base, server, 'after the big run');
    const results = [goal4(after, fresh, idle, cleanup)];
    if (c.history) results.push(await goal5(base, cleanup));
    if (c.panel) results.push(panelPoll(cleanup));
    return results;
  } finally {
    await server.stop().catch(() => server.kill());
  }
}

interface Throughput {
  runs: { rep: number; order: string; status: LoadResult & { serverCpuMs: number }; bare: LoadResult & { serverCpuMs: number } }[];
}

async function measureThroughput(c: HttpContext, base: string, server: { call<T>(n: string): Promise<T> }, label: string): Promise<Throughput> {
  const runs: Throughput['runs'] = [];
  const load = async (route: string) => {
    syncDisks();
    await server.call('resetLoop');
    const job: LoadJob = { url: base + route, concurrency: c.concurrency, durationMs: c.loadSeconds * 1000, warmupMs: 1000 };
    const r = await runOnceChild<LoadResult>('loadgen-child', job);
    return { ...r, serverCpuMs: await server.call<number>('cpu') };
  };
  for (let rep = 0; rep < c.repeat; rep++) {
    const bareFirst = rep % 2 === 1;
    const out: Partial<Throughput['runs'][number]> = { rep, order: bareFirst ? 'bare,status' : 'status,bare' };
    for (const side of bareFirst ? ['bare', 'status'] : ['status', 'bare']) {
      if (side === 'bare') out.bare = await load(BARE);
      else out.status = await load(STATUS);
    }
    const r = out as Throughput['runs'][number];
    const pct = (cpu: number, wall: number) => `${Math.round((cpu / wall) * 100)}%`;
    say(
      `http rep ${rep + 1} (${label}): /status ${Math.round(r.status.rps)} req/s, bare ${Math.round(r.bare.rps)} req/s ` +
        `(CPU on bare: server ${pct(r.bare.serverCpuMs, r.bare.wallMs)}, load generator ${pct(r.bare.cpuMs, r.bare.wallMs)})`,
    );
    runs.push(r);
  }
  return { runs };
}

interface DuringCleanup {
  poll: PollResult;
  writer: unknown;
  stateProbe: unknown;
  loop: LoopDelay;
  store: StoreTiming;
  runMs: number;
  /** The panel was open and polling during the run, or why not. */
  panel: true | string;
  response: { status: number; run_id: string; items_total: number; stats: unknown; errors: number; duration_ms: number };
}

async function measureDuringCleanup(c: HttpContext, root: string, base: string, server: { call<T>(n: string): Promise<T> }): Promise<DuringCleanup> {
  say('http: real cleanup (logs, temp, tasks) through POST /api/system/cleanup, with poller and writer');
  await server.call('resetLoop');
  let post: Awaited<ReturnType<typeof httpJson>> | null = null;
  const probeJob = { dbFile: path.join(root, '.cleanup', 'state.db'), mode: 'lock-probe' as const, intervalMs: c.writerMs, busyTimeoutMs: 10_000 };
  const writerJob = { dbFile: path.join(root, 'architect.db'), mode: 'insert-task' as const, intervalMs: c.writerMs };
  let pollResult: PollResult | null = null;
  const panel = c.panel ? await openPanel(base) : 'not asked';
  const { writer: stateProbe, value: writerPart } = await withWriter(probeJob, () =>
    withWriter(writerJob, async () => {
      pollResult = await poll(base + STATUS, c.pollMs, async () => {
        await new Promise((r) => setTimeout(r, 500));
        post = await httpJson('POST', `${base}/api/system/cleanup`, { dry_run: false, categories: ['logs', 'temp', 'tasks'] });
        await new Promise((r) => setTimeout(r, 500));
      });
    }),
  ).finally(() => (typeof panel === 'string' ? undefined : panel.close()));
  const p = post as unknown as { status: number; json: Record<string, unknown>; ms: number };
  if (!pollResult || !p) throw new Error('unreachable');
  if (p.status !== 200) throw new Error(`POST /api/system/cleanup answered ${p.status}: ${JSON.stringify(p.json).slice(0, 300)}`);
  const body = p.json as { run_id: string; items_total: number; stats: unknown; errors: unknown[]; duration_ms: number };
  const poller = pollResult as PollResult;
  say(`http: run ${ms(p.ms)}, ${body.items_total} items; poller p50 ${poller.latency.p50} ms, p99 ${poller.latency.p99} ms, max ${poller.latency.max} ms`);
  return {
    poll: poller,
    writer: writerPart.writer,
    stateProbe,
    loop: await server.call<LoopDelay>('loop'),
    store: await server.call<StoreTiming>('store'),
    runMs: p.ms,
    panel: typeof panel === 'string' ? panel : true,
    response: { status: p.status, run_id: body.run_id, items_total: body.items_total, stats: body.stats, errors: body.errors.length, duration_ms: body.duration_ms },
  };
}

function goal4(t: Throughput, fresh: Throughput, idle: PollResult, d: DuringCleanup): GoalResult {
  const statusRps = median(t.runs.map((r) => r.status.rps));
  const bareRps = median(t.runs.map((r) => r.bare.rps));
  const clientCpu = median(t.runs.map((r) => r.bare.cpuMs / r.bare.wallMs));
  const serverCpu = median(t.runs.map((r) => r.bare.serverCpuMs / r.bare.wallMs));
  const freshStatus = median(fresh.runs.map((r) => r.status.rps));
  const freshBare = median(fresh.runs.map((r) => r.bare.rps));
  const writer = d.writer as { stall: { max: number }; errors: number };
  return {
    goal: '8 http',
    title: '/status throughput vs a bare route; poller p99 during a real cleanup',
    checks: [
      ratioCheck('/status req/s vs bare route req/s', statusRps, bareRps, '>=', 0.7),
      absCheck('poller p99 during the real cleanup', d.poll.latency.p99, '<', 50, 'ms'),
    ],
    runs: [{ state: 'after the big run', runs: t.runs }, { state: 'no history yet', runs: fresh.runs }],
    notes: [
      `req/s measured after the big run (a finished real run in the history); before any run: /status ${Math.round(freshStatus)} vs bare ${Math.round(freshBare)} req/s = ${(freshStatus / freshBare).toFixed(2)}x`,
      `idle poller (every ${idle.sent ? Math.round(idle.durationMs / idle.sent) : '?'} ms): p50 ${idle.latency.p50} ms, p99 ${idle.latency.p99} ms, max ${idle.latency.max} ms`,
      `during the run (${ms(d.runMs)}, ${d.response.items_total} items, ${d.response.errors} errors): poller p50 ${d.poll.latency.p50} ms, p99 ${d.poll.latency.p99} ms, max ${d.poll.latency.max} ms, ${d.poll.sent} sent, ${d.poll.errors} errors, ${d.poll.unanswered} unanswered`,
      `server event loop during the run: max ${d.loop.maxMs} ms, p99 ${d.loop.p99Ms} ms`,
      `dashboard writer during the run: worst stall ${writer.stall.max} ms, ${writer.errors} errors`,
      `CPU during the bare-route trials: server ${(serverCpu * 100).toFixed(0)}%, load generator ${(clientCpu * 100).toFixed(0)}% of one core (the load generator near 100% = the client, not the server, is the limit)`,
    ],
  };
}

/** Goal 7's third check: the poller of goal 4's run, which ran with the panel open in a browser. */
function panelPoll(d: DuringCleanup): GoalResult {
  const check =
    d.panel === true
      ? absCheck('/status p99 during the big run, panel open and polling', d.poll.latency.p99, '<', 50, 'ms')
      : absCheck(`/status p99 with the panel open not measured: ${d.panel}`, Number.NaN, '<', 50, 'ms');
  return { goal: '7', title: 'the panel open during the big run', checks: [check], runs: [], notes: [`the same run and poller as goal 8's /status row (${d.response.items_total} items)`] };
}

async function goal5(base: string, d: DuringCleanup): Promise<GoalResult> {
  const id = d.response.run_id;
  const total = d.response.items_total;
  const offsets = [0, Math.max(0, Math.floor(total / 2)), Math.max(0, total - 1000)];
  const pages: { offset: number; ms: number[]; items: number }[] = [];
  for (const offset of offsets) {
    const page = { offset, ms: [] as number[], items: 0 };
    for (let i = 0; i < 5; i++) {
      const r = await httpJson('GET', `${base}/api/system/cleanup/runs/${id}?items_limit=1000&items_offset=${offset}`);
      if (r.status !== 200) throw new Error(`GET /runs/${id} answered ${r.status}`);
      page.ms.push(r.ms);
      page.items = (r.json as { items: unknown[] }).items.length;
    }
    pages.push(page);
  }
  const deep = median(pages[pages.length - 1]?.ms ?? []);
  const probe = d.stateProbe as { stall: { max: number }; errors: number };
  say(`history: ${total} items in ${d.store.appendCalls} batches, longest append ${d.store.appendMaxMs.toFixed(1)} ms; page at offset ${offsets[2]}: ${deep.toFixed(1)} ms`);
  return {
    goal: '8 history',
    title: 'history of the big run: batched writes, paging GET /runs/:id',
    checks: [
      absCheck('longest state-store write transaction', d.store.writeMaxMs, '<', 150, 'ms'),
      absCheck('other process waiting for the state DB (worst)', probe.stall.max, '<', 150, 'ms'),
      absCheck(`GET /runs/:id page at offset ${offsets[2]} (median)`, deep, '<', 50, 'ms'),
    ],
    runs: pages.map((p) => ({ offset: p.offset, items: p.items, medianMs: median(p.ms), ms: p.ms })),
    notes: [
      `${total} items recorded in ${d.store.appendCalls} appendItems transactions (mean ${(d.store.appendTotalMs / Math.max(1, d.store.appendCalls)).toFixed(1)} ms, max ${d.store.appendMaxMs.toFixed(1)} ms); longest write: ${d.store.writeMaxName}`,
      `first page ${median(pages[0]?.ms ?? []).toFixed(1)} ms, middle page ${median(pages[1]?.ms ?? []).toFixed(1)} ms, last page ${deep.toFixed(1)} ms`,
    ],
  };
}
