/**
 * The panel's browser tests: the built server (dist/src/server.js) as a child process on a temp
 * root with a run history, and Debian's chromium driven by playwright-core (headless, no
 * sandbox: the tests run as root). Nothing is downloaded; nothing outside the temp folders is touched.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { vi } from 'vitest';
import type { Item } from '../../src/domain/types.js';
import { openStateStoreAt } from '../../src/store/state-store.js';
import { freePort, stamp } from '../cli/cli-helpers.js';
import { createDashboardDb, insertRows, SCHEMAS } from '../helpers/db-fixtures.js';
import { DAY, HOUR, writeFileAt } from '../helpers/temp-root.js';

export const REPO = path.resolve(__dirname, '../..');
export const SERVER = path.join(REPO, 'dist/src/server.js');
export const CHROMIUM = '/usr/bin/chromium';
export const DOCS = path.join(REPO, 'docs');

export interface PanelServer {
  url: string;
  root: string;
  configFile: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Launches chromium; a clear message when it or the build is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium (.ci/run does it)`);
  if (!existsSync(path.join(REPO, 'dist/src/http/ui/index.html'))) throw new Error('dist/ has no panel: run npm run build first');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

const zero = { backups_deleted: 0, logs_deleted: 0, tasks_deleted: 0, errors_deleted: 0, prompts_deleted: 0, temp_files_deleted: 0, space_freed_mb: 0 };

/**
 * A month of hourly scheduled runs ending an hour ago (by the real clock, so the panel's default
 * range shows them): backups every night, logs and temp files through the day.
 */
export function seedHistory(root: string): void {
  mkdirSync(path.join(root, '.cleanup'), { recursive: true });
  vi.useFakeTimers({ toFake: ['Date'] });
  const store = openStateStoreAt(path.join(root, '.cleanup', 'state.db'));
  try {
    const end = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const seed = store.database().transaction(() => {
      for (let t = end - 30 * DAY; t <= end; t += HOUR) {
        const hour = new Date(t).getUTCHours();
        const day = Math.floor(t / DAY);
        const items: Item[] = [];
        if (hour === 2) items.push({ category: 'backups', target: `backups/prod/architect_${stamp(t - 11 * DAY)}.db`, bytes: (300 + (day % 5) * 40) * 1048576, action: 'delete', reason: 'older than the 10 most recent prod backups' });
        if (hour % 6 === 0) items.push({ category: 'logs', target: `logs/worker-${t}.log`, bytes: (20 + (day % 3) * 15) * 1048576, action: 'delete', reason: 'modified more than 30 days ago' });
        if (hour % 3 === 1) items.push({ category: 'temp', target: `tmp/upload-${t}.part`, bytes: (5 + (hour % 4)) * 1048576, action: 'delete', reason: 'modified more than 24 hours ago' });
        vi.setSystemTime(t);
        const id = store.startRun({ trigger: 'schedule', dryRun: false, settings: {} });
        store.appendItems(id, items);
        const stats = { ...zero };
        for (const i of items) stats[`${i.category === 'temp' ? 'temp_files' : i.category}_deleted` as keyof typeof zero]++;
        stats.space_freed_mb = Math.round((items.reduce((n, i) => n + i.bytes, 0) / 1048576) * 100) / 100;
        store.finishRun(id, {
          status: 'succeeded', finishedAt: new Date(t + 1500).toISOString(), stats, itemsTotal: items.length, skippedTotal: 0, errorsTotal: 0,
          warnings: [], skipped: [], errors: [],
        });
      }
    });
    seed();
  } finally {
    store.close();
    vi.useRealTimers();
  }
}

/**
 * A root with what a preview shows: 12 prod backups (2 too many), old, recent and protected logs,
 * an old temp file, and a dashboard database with finished tasks and a resolved error.
 */
export function seedFiles(root: string): Record<string, string> {
  const now = Date.now();
  const files: Record<string, string> = {};
  for (let n = 0; n < 12; n++) {
    const t = now - (n + 1) * DAY;
    files[`backup${n}`] = writeFileAt(root, `backups/prod/architect_${stamp(t)}.db`, t, 'b'.repeat(200_000 + n * 1000));
  }
  files.oldLog = writeFileAt(root, 'logs/worker.log.3', now - 90 * DAY, 'l'.repeat(50_000));
  files.twentyDayLog = writeFileAt(root, 'logs/worker.log.2', now - 20 * DAY, 'l'.repeat(40_000));
  files.recentLog = writeFileAt(root, 'logs/worker.log', now - HOUR, 'l'.repeat(1_000));
  files.oldTemp = writeFileAt(root, 'tmp/upload-1234.part', now - 3 * DAY, 't'.repeat(10_000));
  files.protectedLog = writeFileAt(root, 'logs/keep_me-audit.log', now - 200 * DAY, 'a'.repeat(5_000));
  const db = createDashboardDb(root, SCHEMAS.taskQueue, SCHEMAS.errorsResolved);
  const iso = (ms: number) => new Date(ms).toISOString();
  insertRows(db, 'task_queue', [
    { title: 'nightly import', status: 'completed', completed_at: iso(now - 9 * DAY), created_at: iso(now - 9 * DAY) },
    { title: 'reindex', status: 'cancelled', completed_at: iso(now - 12 * DAY), created_at: iso(now - 12 * DAY) },
    { title: 'report', status: 'completed', completed_at: iso(now - DAY), created_at: iso(now - DAY) },
  ]);
  insertRows(db, 'errors', [
    { message: 'timeout', resolved: 1, resolved_at: iso(now - 40 * DAY), created_at: iso(now - 41 * DAY) },
    { message: 'disk full', resolved: 0, resolved_at: null, created_at: iso(now - 50 * DAY) },
  ]);
  files.db = db;
  return files;
}

/**
 * Starts the built server on a free port over a fresh root (history seeded) with a writable config
 * file. The temp folder lives until stop() (it spans several tests, so not makeTempDir's per-test one).
 */
export async function startPanelServer(env: Record<string, string> = {}, config: Record<string, unknown> = {}): Promise<PanelServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cw-panel-'));
  const root = path.join(dir, 'home');
  mkdirSync(root);
  seedHistory(root);
  const configFile = path.join(dir, 'cleanup.json');
  writeFileSync(configFile, `${JSON.stringify({ schedule: '0 3 1 1 *', timezone: 'Europe/Berlin', protect: ['logs/keep_me*'], ...config }, null, 2)}\n`);
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      ARCHITECT_HOME: root,
      CLEANUP_CONFIG: configFile,
      // Belt and braces: were a scheduled tick to come during a test, it would delete nothing.
      CLEANUP_SCHEDULE_DRY_RUN: 'true',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error(`server did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    url,
    root,
    configFile,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Screenshots of this test process: a temp folder, unless PANEL_SCREENSHOTS=docs asks for docs/. */
const SHOTS = process.env.PANEL_SCREENSHOTS === 'docs' ? DOCS : mkdtempSync(path.join(os.tmpdir(), 'cw-panel-shots-'));
if (SHOTS !== DOCS) process.once('exit', () => rmSync(SHOTS, { recursive: true, force: true }));

/**
 * Where a screenshot of the panel goes. The committed ones in docs/ (shown in README.md, The panel) are
 * refreshed with `PANEL_SCREENSHOTS=docs npx vitest run test/panel`; an ordinary run writes them to
 * a temp folder, so `npm test` leaves the work tree clean.
 */
export function shot(name: string): string {
  return path.join(SHOTS, `panel-${name}.png`);
}
