/**
 * Goal 7: the panel (issue 14).
 * - its weight: every JS and CSS file it can load (src/http/ui and the vendored libraries served
 *   under /ui/vendor/), each gzipped at level 6 as a server would send it;
 * - its first render on loopback: Debian's chromium driven by playwright-core, a fresh browser
 *   context each time (empty cache), from navigation start until the status view shows the
 *   schedule (`[data-testid="next-run"]`, drawn after GET /status answered);
 * - `/status` p99 during the big run with the panel open and polling is measured by the HTTP
 *   goal (openPanel below keeps a page open during its run).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { VENDOR } from '../../../src/http/panel.js';
import { spawnChild } from '../child.js';
import type { ServerInfo } from '../children/server-child.js';
import { absCheck, type GoalResult, say } from '../results.js';
import { median } from '../stats.js';
import { unmeasured } from './backup-archive.js';
import { httpJson } from './http.js';

const CHROMIUM = '/usr/bin/chromium';
const UI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'http', 'ui');

type Browser = { newContext(): Promise<{ newPage(): Promise<Page>; close(): Promise<void> }>; close(): Promise<void> };
type Page = { goto(url: string): Promise<unknown>; waitForSelector(s: string): Promise<unknown> };

/** playwright-core's chromium with Debian's binary, or the reason it cannot run here. */
export async function launchChromium(): Promise<Browser | string> {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed`;
  try {
    const name = 'playwright-core';
    const { chromium } = (await import(name)) as { chromium: { launch(o: object): Promise<Browser> } };
    return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  } catch (err) {
    return `chromium did not start: ${(err as Error).message.split('\n')[0]}`;
  }
}

/** Opens the panel at `base` in a page that stays open (and polls) until the returned close is called. */
export async function openPanel(base: string): Promise<{ close(): Promise<void> } | string> {
  const browser = await launchChromium();
  if (typeof browser === 'string') return browser;
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${base}/ui/`);
  await page.waitForSelector('[data-testid="next-run"]');
  return { close: () => browser.close() };
}

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p, ext) : ext.test(e.name) ? [p] : [];
  });
}

export async function benchPanel(c: { work: string; repeat: number }): Promise<GoalResult> {
  if (!existsSync(path.join(UI, 'index.html'))) return unmeasured('7', 'the panel', 'dist/ has no panel (npm run build copies it)');
  const root = path.join(c.work, 'panel-root');
  mkdirSync(root, { recursive: true });
  const server = await spawnChild<ServerInfo>('server-child', { root });
  const base = `http://127.0.0.1:${server.info.port}`;
  try {
    const own = files(UI, /\.(js|css)$/).map((f) => ({ name: path.relative(UI, f), bytes: readFileSync(f) }));
    const vendor: { name: string; bytes: Buffer }[] = [];
    for (const name of Object.keys(VENDOR)) {
      const r = await fetch(`${base}/ui/vendor/${name}`);
      if (r.status !== 200) throw new Error(`GET /ui/vendor/${name} answered ${r.status}`);
      vendor.push({ name: `vendor/${name}`, bytes: Buffer.from(await r.arrayBuffer()) });
    }
    const all = [...own, ...vendor].map((f) => ({ name: f.name, raw: f.bytes.length, gz: gzipSync(f.bytes, { level: 6 }).length }));
    const gz = all.reduce((n, f) => n + f.gz, 0);
    const raw = all.reduce((n, f) => n + f.raw, 0);
    say(`panel: ${all.length} JS/CSS files, ${(raw / 1024).toFixed(0)} KB, ${(gz / 1024).toFixed(1)} KB gzipped`);
    const browser = await launchChromium();
    const checks = [absCheck('all JS + CSS, gzipped', Math.round((gz / 1024) * 10) / 10, '<=', 150, 'KB')];
    const notes = [`largest: ${all.sort((a, b) => b.gz - a.gz).slice(0, 4).map((f) => `${f.name} ${(f.gz / 1024).toFixed(1)} KB`).join(', ')}; ${(raw / 1024).toFixed(0)} KB before gzip`];
    const renders: number[] = [];
    if (typeof browser === 'string') {
      checks.push(absCheck(`first render not measured: ${browser}`, Number.NaN, '<=', 300, 'ms'));
    } else {
      try {
        await httpJson('GET', `${base}/api/system/cleanup/status`);
        for (let i = 0; i < Math.max(3, 2 * c.repeat); i++) {
          const ctx = await browser.newContext();
          const page = await ctx.newPage();
          const t0 = performance.now();
          await page.goto(`${base}/ui/`);
          await page.waitForSelector('[data-testid="next-run"]');
          renders.push(performance.now() - t0);
          await ctx.close();
        }
      } finally {
        await browser.close();
      }
      say(`panel first render: ${renders.map((r) => Math.round(r)).join(', ')} ms`);
      checks.push(absCheck('first render on loopback (median, empty cache)', Math.round(median(renders)), '<=', 300, 'ms'));
    }
    return { goal: '7', title: 'the panel: weight and first render', checks, runs: [{ files: all, renders }], notes };
  } finally {
    await server.stop().catch(() => server.kill());
  }
}
