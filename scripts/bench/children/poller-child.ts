/**
 * Child: an open-loop poller. Sends one GET every `intervalMs` on a fixed schedule, whether
 * or not earlier requests have answered, and measures each latency from its *scheduled*
 * send time, so a server that stalls is charged for every request it kept waiting
 * (no coordinated omission). Requests still unanswered at `stop` count with their age so far.
 */
import http from 'node:http';
import { serveChild } from '../protocol.js';
import { summarizeLatencies, type LatencySummary } from '../stats.js';

export interface PollJob {
  url: string;
  intervalMs: number;
}

export interface PollResult {
  sent: number;
  answered: number;
  errors: number;
  unanswered: number;
  latency: LatencySummary;
  durationMs: number;
}

serveChild<PollJob, { pid: number }>({
  async start(job) {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
    const url = new URL(job.url);
    const lat: number[] = [];
    const inFlight = new Set<number>();
    let errors = 0;
    let sent = 0;
    let stopped = false;
    const t0 = performance.now();
    const send = (due: number) => {
      sent++;
      inFlight.add(due);
      const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          inFlight.delete(due);
          if (res.statusCode === 200) lat.push(performance.now() - due);
          else errors++;
        });
      });
      req.on('error', () => {
        inFlight.delete(due);
        errors++;
      });
    };
    const loop = async () => {
      for (let k = 0; !stopped; k++) {
        const due = t0 + k * job.intervalMs;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (stopped) break;
        send(due);
      }
    };
    const done = loop();
    return {
      info: { pid: process.pid },
      calls: {
        async stop(): Promise<PollResult> {
          stopped = true;
          await done;
          // Give answers already on the wire a moment, then charge the rest with their age.
          const deadline = performance.now() + 2000;
          while (inFlight.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          const end = performance.now();
          for (const due of inFlight) lat.push(end - due);
          agent.destroy();
          return {
            sent,
            answered: sent - inFlight.size - errors,
            errors,
            unanswered: inFlight.size,
            latency: summarizeLatencies(lat),
            durationMs: end - t0,
          };
        },
      },
    };
  },
});
