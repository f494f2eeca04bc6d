/**
 * `--status`: is the daemon running (PID file + live pid), its schedule (asked from its
 * `/api/system/cleanup/status`), and the last real run's stats (from the daemon, else from the
 * state database, which is only opened when it already exists: status never creates anything).
 */
import type { Settings } from '../config/settings.js';
import type { Stats } from '../domain/types.js';
import { resolveUnderRoot } from '../safety/safe-path.js';
import { stateDbRel } from '../config/state-files.js';
import { API_PREFIX } from '../domain/api.js';
import { StateUnavailableError } from '../store/state-location.js';
import { openStateStore } from '../store/state-store.js';
import type { StateStore } from '../store/types.js';
import { type CliIo, EXIT, say, writeJson } from './io.js';
import { httpGet } from './http-client.js';
import { daemonUrl, isDaemonProcess, readPidFile } from './pid-file.js';
import { escapeControls } from './escape.js';
import { renderSummary } from './render.js';

/** What `--status --json` prints. */
export interface CliStatus {
  success: true;
  root: string;
  daemon_running: boolean;
  daemon_pid: number | null;
  /** A PID file naming a process that is gone (`--stop` removes it). */
  stale_pid: number | null;
  url: string | null;
  schedule: string;
  next_run: string | null;
  last_run: string | null;
  last_stats: Stats | null;
  running: unknown;
  /** Where last_run came from. */
  source: 'daemon' | 'state' | 'none';
}

interface ApiStatus {
  schedule?: string;
  next_run?: string | null;
  last_run?: string | null;
  last_stats?: Stats | null;
  running?: unknown;
}

/** Prints the daemon's state and the last run. Returns the exit code (0 unless something is broken). */
export async function showStatus(settings: Settings, io: CliIo, json: boolean): Promise<number> {
  const pid = readPidFile(settings);
  const alive = pid !== null && isDaemonProcess(pid);
  const url = alive ? daemonUrl(settings) : null;
  const status: CliStatus = {
    success: true,
    root: settings.root,
    daemon_running: alive,
    daemon_pid: alive ? pid : null,
    stale_pid: pid !== null && !alive ? pid : null,
    url,
    schedule: settings.schedule,
    next_run: null,
    last_run: null,
    last_stats: null,
    running: null,
    source: 'none',
  };
  const api = url ? await fetchApiStatus(url, settings.apiToken, io) : null;
  if (api) {
    Object.assign(status, {
      schedule: api.schedule ?? status.schedule,
      next_run: api.next_run ?? null,
      last_run: api.last_run ?? null,
      last_stats: api.last_stats ?? null,
      running: api.running ?? null,
      source: 'daemon',
    });
  } else {
    readFromState(settings, status, io);
  }
  if (json) writeJson(io, status);
  else io.stdout.write(renderStatus(status));
  return EXIT.ok;
}

async function fetchApiStatus(url: string, token: string | undefined, io: CliIo): Promise<ApiStatus | null> {
  const endpoint = `${url}${API_PREFIX}/status`;
  try {
    const res = await httpGet(endpoint, { timeoutMs: 3000, headers: token ? { authorization: `Bearer ${token}` } : {} });
    if (res.status === 200) return JSON.parse(res.body) as ApiStatus;
    say(io, `warning: ${endpoint} answered ${res.status}${res.status === 401 ? ' (set CLEANUP_API_TOKEN)' : ''}; showing the state database instead`);
  } catch (err) {
    say(io, `warning: cannot read ${endpoint} (${(err as Error).message}); showing the state database instead`);
  }
  return null;
}

/** Fills in the last run from the state database when it exists (opened with the same checks as for a run). */
function readFromState(settings: Settings, status: CliStatus, io: CliIo): void {
  if (!resolveUnderRoot(settings.root, stateDbRel(settings), 'state database').stat) return;
  let store: StateStore;
  try {
    store = openStateStore(settings);
  } catch (err) {
    if (!(err instanceof StateUnavailableError)) throw err;
    say(io, `warning: ${err.message}; the last run is not shown`);
    return;
  }
  try {
    const last = store.lastRealRun();
    const running = store.runningRun();
    status.source = 'state';
    status.last_run = last?.finished_at ?? null;
    status.last_stats = last?.stats ?? null;
    status.running = running
      ? { run_id: running.run_id, trigger: running.trigger, dry_run: running.dry_run, started_at: running.started_at, pid: running.pid, progress: running.progress }
      : null;
  } finally {
    store.close();
  }
}

/** The human-readable status. */
export function renderStatus(s: CliStatus): string {
  const lines: string[] = [`Root: ${s.root}`];
  if (s.daemon_running) lines.push(`Daemon: running (pid ${s.daemon_pid}) at ${s.url}`);
  else if (s.stale_pid !== null) lines.push(`Daemon: not running (stale PID file for pid ${s.stale_pid}; --stop removes it)`);
  else lines.push('Daemon: not running');
  if (s.schedule === 'off') lines.push('Schedule: off');
  else if (s.daemon_running) lines.push(`Schedule: ${s.schedule}${s.next_run ? ` (next run ${s.next_run})` : ''}`);
  else lines.push(`Schedule: ${s.schedule} (only while the daemon runs; start it with --daemon)`);
  const running = s.running as { run_id?: string; trigger?: string; started_at?: string } | null;
  if (running?.run_id) lines.push(`Running now: run ${running.run_id} (${running.trigger}, started ${running.started_at})`);
  if (!s.last_run || !s.last_stats) {
    lines.push('Last run: no runs yet');
    return `${lines.map(escapeControls).join('\n')}\n`;
  }
  lines.push(`Last run: ${s.last_run}`);
  return `${lines.map(escapeControls).join('\n')}\n${renderSummary(s.last_stats)}`;
}
