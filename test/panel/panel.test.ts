/**
 * The panel in a real browser (issue 14): Debian's chromium, driven by playwright-core, against
 * the built server on a temp root. Each view is opened as a person would, and its screenshot is
 * written to docs/ (README.md's The panel shows them).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY, writeFileAt } from '../helpers/temp-root.js';
import { launchBrowser, type PanelServer, seedFiles, shot, startPanelServer } from './panel-helpers.js';

let browser: Browser;
let server: PanelServer;
let files: Record<string, string>;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startPanelServer();
  files = seedFiles(server.root);
  context = await browser.newContext({ viewport: { width: 1200, height: 860 }, timezoneId: 'UTC', colorScheme: 'light' });
  page = await context.newPage();
}, 60_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
});

const api = async (path: string) => (await fetch(`${server.url}/api/system/cleanup${path}`)).json();

describe('the panel in a browser', () => {
  it('opens on Status within 300 ms: schedule and next run in both zones, last real run, free disk space', async () => {
    // From navigation start to the status drawn with its data, each time in a fresh (cold-cache)
    // browser context. The best of three: the machine running the tests is shared, and a busy
    // moment says nothing about the panel.
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const cold = await browser.newContext({ timezoneId: 'UTC' });
      const p = await cold.newPage();
      await p.goto(`${server.url}/ui/`);
      await p.getByTestId('disk-free').waitFor();
      times.push(await p.evaluate(() => performance.getEntriesByName('cleanup-panel-status')[0]?.startTime ?? -1));
      await cold.close();
    }
    expect(Math.min(...times), `first renders: ${times.join(', ')} ms`).toBeGreaterThan(0);
    // The 300 ms budget is measured by `npm run bench` (issue 16), not asserted in a test on a shared machine.
    await page.goto(`${server.url}/`);
    await page.getByTestId('disk-free').waitFor();
    expect(page.url()).toBe(`${server.url}/ui/`);
    const nextRun = await page.getByTestId('next-run').innerText();
    expect(nextRun).toMatch(/Jan 1, \d{4}, 3:00:00\sAM GMT\+1/);
    expect(nextRun).toMatch(/2:00:00\sAM UTC your time/);
    expect(await page.locator('#h-last').isVisible()).toBe(true);
    expect(await page.getByTestId('disk-free').innerText()).toMatch(/free of/);
    await page.screenshot({ path: shot('status'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: shot('status-dark'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('charts the space freed per day and lists the same numbers in a table', async () => {
    await page.getByRole('link', { name: 'Space freed' }).click();
    await page.locator('.chart canvas').waitFor();
    const rows = page.getByTestId('space-table').locator('tbody tr');
    expect(await rows.count()).toBe(31); // 30 days back from now: 30 whole days and today
    expect(await page.getByTestId('space-table').locator('thead').innerText()).toMatch(/Backups[\s\S]*Logs[\s\S]*Temp files/);
    expect(await page.getByTestId('space-summary').innerText()).toMatch(/GB freed by \d+ items in \d+ real runs/);
    await page.screenshot({ path: shot('space'), fullPage: true });
  });

  it('previews a dry run grouped by category with each reason, and deletes nothing', async () => {
    await page.getByRole('link', { name: 'Preview' }).click();
    await page.getByTestId('run-preview').click();
    const backups = page.getByTestId('group-backups');
    await backups.waitFor();
    expect(await backups.locator('h3').innerText()).toMatch(/Backups: 2 to remove/);
    expect(await backups.innerText()).toContain('older than the 10 most recent prod backups');
    expect(await page.getByTestId('group-logs').locator('h3').innerText()).toMatch(/Logs: 1 to remove/);
    expect(await page.getByTestId('group-temp').innerText()).toContain('upload-1234.part');
    expect(await page.getByTestId('group-tasks').locator('h3').innerText()).toMatch(/Tasks: 2 to remove/);
    // What stays, with its reason: the protected log.
    expect(await page.getByTestId('group-logs').innerText()).toMatch(/logs\/keep_me-audit\.log\s+protected by glob/);
    // The dry run is a plan: "Apply this plan" is offered (applied in its own test below, on its own root).
    expect(await page.getByTestId('apply-plan').innerText()).toBe('Apply this plan (remove these 7 items)');
    for (const f of Object.values(files)) expect(existsSync(f)).toBe(true);
    await page.screenshot({ path: shot('preview'), fullPage: true });
  });

  it("lists the runs and pages a run's items, filtered by category", async () => {
    await page.getByRole('link', { name: 'Runs' }).click();
    const first = page.getByTestId('runs-table').locator('tbody tr').first();
    await first.waitFor();
    expect(await first.innerText()).toMatch(/api\s+dry run\s+succeeded/);
    await page.screenshot({ path: shot('runs'), fullPage: false });
    await first.getByRole('link').click();
    const items = page.getByTestId('items-table').locator('tbody tr');
    await items.first().waitFor();
    expect(await items.count()).toBe(7);
    await page.getByTestId('filter-category').selectOption('backups');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=items-table] tbody tr').length === 2);
    for (const text of await items.allInnerTexts()) expect(text).toMatch(/^backups\/prod\/architect_\d{8}_\d{6}\.db\s+backups\s+delete/);
    await page.screenshot({ path: shot('run'), fullPage: true });
  });

  it('shows a bad value next to its field and saves nothing', async () => {
    const before = readFileSync(server.configFile, 'utf8');
    await page.getByRole('link', { name: 'Configuration' }).click();
    await page.locator('#log_age_days').fill('0');
    await page.getByTestId('save-config').click();
    const error = page.locator('#log_age_days-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/^body\.log_age_days must be >= 1/);
    expect(await page.locator('#log_age_days').getAttribute('aria-invalid')).toBe('true');
    expect(readFileSync(server.configFile, 'utf8')).toBe(before);
    expect((await api('/config/history')).total).toBe(0);
    await page.screenshot({ path: shot('config-error'), fullPage: false });
  });

  it('shows what more a change removes, saves it when confirmed, and re-arms the schedule', async () => {
    await page.locator('#log_age_days').fill('10');
    await page.locator('#schedule').fill('30 4 1 1 *');
    await page.getByTestId('save-config').click();
    const preview = page.getByTestId('config-preview');
    await preview.waitFor();
    expect(await preview.getByRole('heading').innerText()).toBe('This change removes more');
    expect(await page.getByTestId('comparison').locator('tr.more').innerText()).toMatch(/Logs\s+1\s+2 \(\+1\)/);
    await preview.screenshot({ path: shot('config-preview') });
    await page.getByTestId('confirm-save').click();
    await page.getByTestId('saved').waitFor();
    expect(await page.getByTestId('saved').innerText()).toMatch(/Saved and applied: log_age_days, schedule/);
    expect(JSON.parse(readFileSync(server.configFile, 'utf8'))).toEqual({ schedule: '30 4 1 1 *', timezone: 'Europe/Berlin', log_age_days: 10, protect: ['logs/keep_me*'], backup_retention: { prod: 10, qa: 5, dev: 5, test: 3, default: 5 }, task_age_days: 7, error_age_days: 30, prompt_age_days: 14, temp_age_hours: 24 });
    expect((await api('/status')).next_run).toMatch(/-01-01T03:30:00/);
    await page.getByTestId('history').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('history').innerText()).toMatch(/local \(127\.0\.0\.1\)\s+file\s+log_age_days: 30 → 10\s+schedule: "0 3 1 1 \*" → "30 4 1 1 \*"/);
    await page.screenshot({ path: shot('config'), fullPage: true });
    await page.getByRole('link', { name: 'Status' }).click();
    await page.waitForFunction(() => /4:30:00/.test(document.querySelector('[data-testid=next-run]')?.textContent ?? ''));
  });

  it('is usable with the keyboard alone', async () => {
    await page.goto('about:blank');
    await page.goto(`${server.url}/ui/#/status`);
    await page.getByTestId('disk-free').waitFor();
    await page.keyboard.press('Tab'); // skip link
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Runs');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1' && document.activeElement.textContent === 'Runs');
    expect(page.url()).toMatch(/#\/runs$/);
  });

  it('reflows at 400 % zoom (320 CSS pixels wide): no view scrolls sideways', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 320, height: 256 });
    for (const view of ['status', 'space', 'runs', 'preview', 'config']) {
      await narrow.goto(`${server.url}/ui/#/${view}`);
      await narrow.locator('main h1').waitFor();
      await narrow.waitForLoadState('networkidle');
      const width = await narrow.evaluate(() => document.documentElement.scrollWidth);
      expect(width, view).toBeLessThanOrEqual(320);
    }
    await narrow.goto(`${server.url}/ui/#/status`);
    await narrow.getByTestId('disk-free').waitFor();
    await narrow.screenshot({ path: shot('zoom'), fullPage: true });
    await narrow.close();
  });
});

describe('preview, then apply exactly that (issue 14)', () => {
  it('applies the previewed plan: the run removes exactly those items; a second tab applying the same plan is refused', async () => {
    const own = await startPanelServer();
    const seeded = seedFiles(own.root);
    const tabs = await browser.newContext({ viewport: { width: 1200, height: 860 }, timezoneId: 'UTC' });
    try {
      const first = await tabs.newPage();
      await first.goto(`${own.url}/ui/#/preview`);
      await first.getByTestId('run-preview').click();
      await first.getByTestId('group-backups').waitFor();
      const preview = await first.getByTestId('preview-result').innerText();
      const planLink = await first.getByRole('link', { name: "the run's history" }).getAttribute('href');
      const planId = decodeURIComponent((planLink ?? '').replace('#/runs/', ''));
      expect(planId).toMatch(/^[0-9a-f-]{36}$/);
      const planned = (await (await fetch(`${own.url}/api/system/cleanup/runs/${planId}?items_limit=100`)).json()) as { items: { target: string }[] };
      // A second tab shows the same plan on its run page, before the first tab applies it.
      const second = await tabs.newPage();
      await second.goto(`${own.url}/ui/#/runs/${planId}`);
      await second.getByTestId('apply-plan').waitFor();
      // Something that qualifies only after the preview: not in the plan, so it stays.
      const late = writeFileAt(own.root, 'logs/late.log.1', Date.now() - 90 * DAY, 'late');

      await first.getByTestId('apply-plan').click();
      await first.getByTestId('applied').waitFor();
      expect(await first.getByTestId('applied').innerText()).toMatch(/^Applied: backups 2, logs 1, tasks 2, errors 1, temp 1 · /);
      await first.screenshot({ path: shot('applied'), fullPage: true });
      expect(preview).toContain('Apply this plan (remove these 7 items)');
      for (const key of ['backup10', 'backup11', 'oldLog', 'oldTemp']) expect(existsSync(seeded[key] as string), key).toBe(false);
      for (const key of ['backup0', 'backup9', 'twentyDayLog', 'recentLog', 'protectedLog', 'db']) expect(existsSync(seeded[key] as string), key).toBe(true);
      expect(existsSync(late)).toBe(true);

      // The run appears in the history with exactly the plan's items.
      await first.getByTestId('applied').getByRole('link', { name: 'the run' }).click();
      const items = first.getByTestId('items-table').locator('tbody tr');
      await items.first().waitFor();
      const shown = (await items.allInnerTexts()).map((t) => t.split('\t')[0]?.trim());
      expect(shown.sort()).toEqual(planned.items.map((i) => i.target).sort());
      expect(await first.locator('dl.facts').innerText()).toContain(planId);
      await first.getByRole('link', { name: '← All runs' }).click();
      const newest = first.getByTestId('runs-table').locator('tbody tr').first();
      await newest.waitFor();
      expect(await newest.innerText()).toMatch(/api\s+real\s+succeeded/);

      // The second tab applies the same plan: the server refuses it and the tab says why.
      await second.getByTestId('apply-plan').click();
      const refused = second.getByRole('alert');
      await refused.waitFor();
      expect(await refused.innerText()).toMatch(new RegExp(`^plan ${planId} was already applied \\(run [0-9a-f-]{36}\\); a plan is applied once`));
      expect(await second.getByTestId('applied').count()).toBe(0);
      await second.screenshot({ path: shot('apply-refused'), fullPage: false });
    } finally {
      await tabs.close();
      await own.stop();
    }
  });
});

describe('the panel and the trash', () => {
  it('restores what a real run moved into the trash, from the run page, and records the restore as a run', async () => {
    const own = await startPanelServer({}, { trash: { keep_hours: 72 } });
    const seeded = seedFiles(own.root);
    const tab = await browser.newContext({ viewport: { width: 1200, height: 860 }, timezoneId: 'UTC' });
    try {
      const res = await fetch(`${own.url}/api/system/cleanup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dry_run: false, categories: ['logs', 'temp'] }),
      });
      const run = (await res.json()) as { run_id: string; items: { action: string; target: string }[] };
      expect(run.items.filter((i) => i.action === 'trash').length).toBeGreaterThan(0);
      for (const key of ['oldLog', 'oldTemp']) expect(existsSync(seeded[key] as string), key).toBe(false);

      const page2 = await tab.newPage();
      await page2.goto(`${own.url}/ui/#/runs/${run.run_id}`);
      await page2.getByTestId('restore-trash').click();
      await page2.getByTestId('restored').waitFor();
      expect(await page2.getByTestId('restored').innerText()).toMatch(/^Restored \d+ items?\./);
      for (const key of ['oldLog', 'oldTemp']) expect(existsSync(seeded[key] as string), key).toBe(true);
      await page2.screenshot({ path: shot('restored'), fullPage: true });
      // The restore is a run of its own in the history.
      await page2.getByRole('link', { name: 'the restore run' }).click();
      await page2.locator('dl.facts').waitFor();
      expect(await page2.locator('dl.facts').innerText()).toMatch(/real run/);
    } finally {
      await tab.close();
      await own.stop();
    }
  });
});

describe('the panel with CLEANUP_API_TOKEN', () => {
  it('asks for the token once per tab, refuses a wrong one, and sends it as a bearer token', async () => {
    const guarded = await startPanelServer({ CLEANUP_API_TOKEN: 'correct horse battery staple' });
    const tab = await browser.newContext({ viewport: { width: 1000, height: 700 }, timezoneId: 'UTC' });
    try {
      const p = await tab.newPage();
      const authorizations: string[] = [];
      p.on('request', (r) => {
        if (r.url().includes('/api/')) authorizations.push(r.headers().authorization ?? '');
      });
      await p.goto(`${guarded.url}/ui/`);
      const input = p.getByLabel('Token', { exact: true });
      await input.waitFor();
      await input.fill('wrong');
      await p.getByRole('button', { name: 'Continue' }).click();
      await p.getByText('That token was refused').waitFor();
      await p.screenshot({ path: shot('token'), fullPage: false });
      await input.fill('correct horse battery staple');
      await p.getByRole('button', { name: 'Continue' }).click();
      await p.getByTestId('disk-free').waitFor();
      expect(authorizations.at(-1)).toBe('Bearer correct horse battery staple');
      await p.reload();
      await p.getByTestId('disk-free').waitFor();
      expect(await p.getByLabel('Token', { exact: true }).count()).toBe(0);
    } finally {
      await tab.close();
      await guarded.stop();
    }
  });
});
