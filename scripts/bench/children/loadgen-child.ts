/**
 * Child: a closed-loop load generator for goal 4's requests per second. `concurrency`
 * workers on a keep-alive http.Agent each send the next GET as soon as the last one ends,
 * for `durationMs` after a `warmupMs` warm-up; only requests finished inside the window count.
 */
import http from 'node:http';
import { serveChild } from '../protocol.js';
import { summarizeLatencies, type LatencySummary } from '../stats.js';

export interface LoadJob {
  url: string;
  concurrency: number;
  durationMs: number;
  warmupMs: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  errors: number;
  latency: LatencySummary;
  /** This process's CPU over the run, ms: close to wall time means the client was the bottleneck. */
  cpuMs: number;
  wallMs: number;
}

serveChild<LoadJob, LoadResult>({
  async start(job) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
    const url = new URL(job.url);
    const get = () =>
      new Promise<number>((resolve) => {
        const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent }, (res) => {
          res.on('data', () => {});
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', () => resolve(0));
      });
    const t0 = performance.now();
    const from = t0 + job.warmupMs;
    const until = from + job.durationMs;
    let cpu0 = process.cpuUsage();
    let cpuMarked = false;
    const lat: number[] = [];
    let errors = 0;
    const worker = async () => {
      for (;;) {
        const start = performance.now();
        if (start >= until) return;
        if (!cpuMarked && start >= from) {
          cpuMarked = true;
          cpu0 = process.cpuUsage();
        }
        const code = await get();
        const end = performance.now();
        if (start >= from && end <= until) {
          if (code === 200) lat.push(end - start);
          else errors++;
        }
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, worker));
    const cpu = process.cpuUsage(cpu0);
    agent.destroy();
    const info: LoadResult = {
      requests: lat.length,
      rps: lat.length / (job.durationMs / 1000),
      errors,
      latency: summarizeLatencies(lat),
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: job.durationMs,
    };
    return { info, calls: { stop: () => null } };
  },
});
