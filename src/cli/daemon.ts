/**
 * `--daemon` and `--stop`: start the server (`dist/src/server.js`) detached with the same root
 * and config, keep its pid in the PID file, and stop it again with SIGTERM (SIGKILL after a
 * timeout). Never creates the root: a daemon for a root that does not exist is refused.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, constants, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../config/settings.js';
import { ensureDirUnderRoot, openNoFollow, resolveUnderRoot } from '../safety/safe-path.js';
import { escapeControls } from './escape.js';
import { type CliIo, EXIT, say, writeJson } from './io.js';
import { healthOk } from './http-client.js';
import { daemonUrl, isAlive, isDaemonProcess, pidFilePath, readPidFile, removePidFile, sleep, writePidFile } from './pid-file.js';

/** How long to wait for `/health` after starting, and for the process to exit after SIGTERM. */
export const DAEMON_TIMEOUT_MS = 10_000;
const POLL_MS = 100;

/** The server entry point next to this file once built: dist/src/cli/ -> dist/src/server.js. */
const SERVER_ENTRY = fileURLToPath(new URL('../server.js', import.meta.url));

/**
 * Starts the daemon unless one runs; waits for /health. Returns the exit code. Throws
 * UnsafePathError (exit 2 from main) when the state folder, the PID file or the daemon's stderr
 * file is reached through a link: nothing is started then.
 */
export async function startDaemon(settings: Settings, io: CliIo, json: boolean): Promise<number> {
  if (!existsSync(settings.root)) {
    say(io, `root ${settings.root} does not exist; create it or pass --root DIR (the daemon keeps its PID file there)`);
    return EXIT.usage;
  }
  if (settings.port === 0) {
    say(io, '--daemon needs a fixed port: set PORT to a number from 1 to 65535');
    return EXIT.usage;
  }
  const pidFile = pidFilePath(settings);
  const url = daemonUrl(settings);
  const existing = readPidFile(settings);
  if (existing !== null && isDaemonProcess(existing)) {
    report(io, json, { started: false, already_running: true, pid: existing, url }, `already running (pid ${existing}) at ${url}; not starting another`);
    return EXIT.ok;
  }
  if (existing !== null) removePidFile(settings);
  if (await healthOk(url)) {
    say(io, `something already answers at ${url}/health; stop it or set PORT to a free port`);
    return EXIT.failed;
  }
  ensureDirUnderRoot(settings.root, settings.paths.state, 'state folder');
  const child = spawnServer(settings, io, openStderrLog(settings));
  const pid = child.pid;
  if (pid === undefined || !writePidFile(settings, pid)) {
    await terminate(child.pid);
    say(io, pid === undefined ? `could not start ${SERVER_ENTRY}` : 'another --daemon started at the same time; not starting a second one');
    return pid === undefined ? EXIT.failed : EXIT.ok;
  }
  const failure = await waitForHealth(child, url);
  if (failure) {
    await terminate(pid);
    removePidFile(settings, pid);
    say(io, `the daemon did not start: ${failure}${startHint(settings, pid, stderrLogPath(pidFile))}`);
    return EXIT.failed;
  }
  child.unref();
  report(io, json, { started: true, already_running: false, pid, url }, `daemon started (pid ${pid}) at ${url}; PID file ${pidFile}`);
  return EXIT.ok;
}

/**
 * Stops the daemon named by the PID file; not running (or a stale file) is not an error. A linked
 * PID file throws UnsafePathError (exit 2 from main): no pid read through a link is signalled.
 */
export async function stopDaemon(settings: Settings, io: CliIo, json: boolean): Promise<number> {
  const pid = readPidFile(settings);
  if (pid === null) {
    report(io, json, { stopped: false, was_running: false, pid: null }, 'not running (no PID file)');
    return EXIT.ok;
  }
  if (!isDaemonProcess(pid)) {
    removePidFile(settings);
    report(io, json, { stopped: false, was_running: false, pid }, `not running (removed a stale PID file for pid ${pid})`);
    return EXIT.ok;
  }
  const how = await terminate(pid);
  if (how === 'alive') {
    say(io, `pid ${pid} is still running after SIGKILL; PID file kept`);
    return EXIT.failed;
  }
  removePidFile(settings, pid);
  report(io, json, { stopped: true, was_running: true, pid, signal: how }, `stopped (pid ${pid}${how === 'SIGKILL' ? ', killed after it ignored SIGTERM' : ''})`);
  return EXIT.ok;
}

/** Opens `<state>/daemon.stderr.log` for the server's stderr, truncated, never through a link. */
function openStderrLog(settings: Settings): number {
  const { abs } = resolveUnderRoot(settings.root, `${settings.paths.state}/${STDERR_LOG}`, "daemon's stderr file");
  return openNoFollow(abs, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, "daemon's stderr file");
}

/** Spawns the server detached with `errFd` as its stderr; closes errFd. */
function spawnServer(settings: Settings, io: CliIo, errFd: number): ChildProcess {
  const env: Record<string, string | undefined> = { ...io.env, ARCHITECT_HOME: settings.root };
  if (settings.configFile) env.CLEANUP_CONFIG = settings.configFile;
  else delete env.CLEANUP_CONFIG;
  // The server writes its own JSON log file; stderr keeps what it prints if it crashes at start.
  try {
    const child = spawn(process.execPath, [SERVER_ENTRY], { cwd: io.cwd, env, detached: true, stdio: ['ignore', 'ignore', errFd] });
    // A failed spawn leaves child.pid undefined (reported by the caller) and emits 'error' later.
    child.once('error', () => {});
    return child;
  } finally {
    closeSync(errFd);
  }
}

/** Polls /health until it answers; returns why it failed, or null. */
async function waitForHealth(child: ChildProcess, url: string): Promise<string | null> {
  let exited: string | null = null;
  const onExit = (code: number | null, signal: string | null) => {
    exited = `it exited (${signal ?? `code ${code}`})`;
  };
  child.once('exit', onExit);
  const deadline = Date.now() + DAEMON_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (exited) return exited;
      if (await healthOk(url, 500)) return exited;
      await sleep(POLL_MS);
    }
    return exited ?? `${url}/health did not answer within ${DAEMON_TIMEOUT_MS / 1000} s`;
  } finally {
    child.off('exit', onExit);
  }
}

/** SIGTERM, wait, SIGKILL: how the process ended, or 'alive' if it would not. */
async function terminate(pid: number | undefined): Promise<'SIGTERM' | 'SIGKILL' | 'alive'> {
  if (pid === undefined || !isAlive(pid)) return 'SIGTERM';
  if (await signalAndWait(pid, 'SIGTERM', DAEMON_TIMEOUT_MS)) return 'SIGTERM';
  return (await signalAndWait(pid, 'SIGKILL', 2000)) ? 'SIGKILL' : 'alive';
}

async function signalAndWait(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return true;
    throw err;
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(POLL_MS);
  }
  return !isAlive(pid);
}

const STDERR_LOG = 'daemon.stderr.log';

function stderrLogPath(pidFile: string): string {
  return path.join(path.dirname(pidFile), STDERR_LOG);
}

/** Why the server gave up, from its own log file (pino JSON) or else the last line of its stderr. */
function startHint(settings: Settings, pid: number, stderrFile: string): string {
  const logFile = path.join(settings.root, settings.paths.log_file);
  for (const line of tailLines(logFile).reverse()) {
    try {
      const entry = JSON.parse(line) as { pid?: number; level?: number; msg?: string; err?: { message?: string } };
      if (entry.pid === pid && (entry.level ?? 0) >= 50) {
        return `; it logged: ${entry.msg ?? ''}${entry.err?.message ? ` (${entry.err.message})` : ''} (see ${logFile})`;
      }
    } catch {
      // Not a JSON line: keep looking.
    }
  }
  // A crash prints a stack and then "Node.js vX": the error line says more than the last line.
  const lines = tailLines(stderrFile).map((l) => l.trim());
  const last = lines.findLast((l) => /^[\w.]*Error\b|^cleanup-worker:/.test(l)) ?? lines.at(-1);
  return last ? `; its stderr says: ${last.slice(0, 300)} (see ${stderrFile})` : '';
}

/** The last lines of a file (its final 64 KB), or none when it cannot be read. */
function tailLines(file: string): string[] {
  let fd: number | null = null;
  try {
    // Read only, but never through a link: an outside file's lines must not end up in our message.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(size, 65_536));
    readSync(fd, buf, 0, buf.length, size - buf.length);
    return buf.toString('utf8').split('\n').filter((l) => l.trim() !== '');
  } catch {
    return [];
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function report(io: CliIo, json: boolean, data: Record<string, unknown>, text: string): void {
  if (json) writeJson(io, { success: true, ...data });
  else io.stdout.write(`cleanup-worker: ${escapeControls(text)}\n`);
}
