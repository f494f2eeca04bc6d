/**
 * GET /metrics scraped over HTTP from the app wired as the server wires it, parsed with a
 * Prometheus text-format parser, and checked against the runs just made.
 */
import { describe, expect, it } from 'vitest';
import { heldHandler, makeGate, writeOldLogs } from '../helpers/http-app.js';
import { writeBackups } from '../helpers/archive-fixtures.js';
import { startNotifyApp, until } from '../helpers/notify-fixture.js';
import { parsePrometheus, type Sample, sampleValue } from '../helpers/receivers.js';

const CLEANUP = '/api/system/cleanup';

async function scrape(app: { get(p: string, h?: Record<string, string>): Promise<Response> }, headers: Record<string, string> = {}): Promise<Sample[]> {
  const res = await app.get('/metrics', headers);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parsePrometheus(await res.text());
}

describe('GET /metrics', () => {
  it('counts runs by trigger, status and dry run, items and bytes removed by category, and durations', async () => {
    const app = await startNotifyApp();
    writeOldLogs(app.root);
    expect((await app.post(CLEANUP, { dry_run: true })).status).toBe(200);
    const real = (await (await app.post(CLEANUP, { dry_run: false })).json()) as { finished_at: string; duration_ms: number };
    await until(async () => sampleValue(await scrape(app), 'cleanup_runs_total', { dry_run: 'false' }) === 1);
    const m = await scrape(app);
    expect(sampleValue(m, 'cleanup_runs_total', { trigger: 'api', status: 'succeeded', dry_run: 'true' })).toBe(1);
    expect(sampleValue(m, 'cleanup_runs_total', { trigger: 'api', status: 'succeeded', dry_run: 'false' })).toBe(1);
    // The dry run removed nothing: only the real run's three 100-byte logs count.
    expect(sampleValue(m, 'cleanup_items_removed_total', { category: 'logs' })).toBe(3);
    expect(sampleValue(m, 'cleanup_bytes_freed_total', { category: 'logs' })).toBe(300);
    expect(sampleValue(m, 'cleanup_run_duration_seconds_count', { trigger: 'api', dry_run: 'false' })).toBe(1);
    expect(sampleValue(m, 'cleanup_run_duration_seconds_sum', { trigger: 'api', dry_run: 'false' })).toBeCloseTo(real.duration_ms / 1000, 3);
    expect(sampleValue(m, 'cleanup_last_success_timestamp_seconds')).toBe(Date.parse(real.finished_at) / 1000);
    expect(sampleValue(m, 'cleanup_run_in_progress')).toBe(0);
    const free = sampleValue(m, 'cleanup_root_filesystem_free_bytes') ?? 0;
    expect(free).toBeGreaterThan(0);
    expect(sampleValue(m, 'cleanup_root_filesystem_size_bytes')).toBeGreaterThanOrEqual(free);
    expect(sampleValue(m, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
  });

  it('reads the last successful run from the history after a restart, while counters start again at zero', async () => {
    const first = await startNotifyApp();
    writeOldLogs(first.root);
    const real = (await (await first.post(CLEANUP, { dry_run: false })).json()) as { finished_at: string };
    await first.close();
    const second = await startNotifyApp({ root: first.root });
    const m = await scrape(second);
    expect(sampleValue(m, 'cleanup_last_success_timestamp_seconds')).toBe(Date.parse(real.finished_at) / 1000);
    expect(sampleValue(m, 'cleanup_runs_total', { dry_run: 'false' })).toBeUndefined();
  });

  it('shows a run in progress while it holds the lock', async () => {
    const gate = makeGate();
    let started = false;
    const app = await startNotifyApp({ handlers: [heldHandler(gate.wait, () => (started = true))] });
    const pending = app.post(CLEANUP, { dry_run: false });
    await until(() => started);
    // The run has reported one item (held.log) and is waiting: the gauge shows it before any progress event.
    await until(async () => sampleValue(await scrape(app), 'cleanup_run_progress_items') === 1);
    expect(sampleValue(await scrape(app), 'cleanup_run_in_progress')).toBe(1);
    gate.open();
    await pending;
    expect(sampleValue(await scrape(app), 'cleanup_run_in_progress')).toBe(0);
    expect(sampleValue(await scrape(app), 'cleanup_run_progress_items')).toBe(0);
  });

  it('counts backups archived (items and bytes) by category, beside the removed ones', async () => {
    const app = await startNotifyApp({ config: { backup_retention: { prod: 1 }, backup_archive: { target: { type: 'local', dir: 'archive/backups' } } } });
    const written = writeBackups(app.root, 'prod', 3, 1000);
    const result = (await (await app.post(CLEANUP, { dry_run: false, categories: ['backups'] })).json()) as { items: { action: string; bytes: number }[] };
    const archived = result.items.filter((i) => i.action === 'archive');
    expect(archived).toHaveLength(2);
    await until(async () => sampleValue(await scrape(app), 'cleanup_runs_total', { dry_run: 'false' }) === 1);
    const m = await scrape(app);
    const bytes = (written[1]?.bytes.length ?? 0) + (written[2]?.bytes.length ?? 0);
    expect(sampleValue(m, 'cleanup_items_archived_total', { category: 'backups' })).toBe(2);
    expect(sampleValue(m, 'cleanup_bytes_archived_total', { category: 'backups' })).toBe(bytes);
    expect(sampleValue(m, 'cleanup_items_removed_total', { category: 'backups' })).toBe(2);
    expect(sampleValue(m, 'cleanup_bytes_freed_total', { category: 'backups' })).toBe(bytes);
  });

  it('counts notification attempts by outcome and shows what waits in the outbox', async () => {
    const app = await startNotifyApp({ notifications: { webhooks: [{ url: 'http://127.0.0.1:9/hook', events: ['run.finished'], secret_env: 'HOOK_SECRET' }] } });
    writeOldLogs(app.root);
    await app.post(CLEANUP, { dry_run: false });
    await until(async () => sampleValue(await scrape(app), 'cleanup_notification_deliveries_total', { channel: 'webhook', outcome: 'retry' }) === 1);
    expect(sampleValue(await scrape(app), 'cleanup_outbox_depth')).toBe(1);
  });

  it('requires the API token when one is set, unless CLEANUP_METRICS_PUBLIC=true', async () => {
    const locked = await startNotifyApp({ env: { CLEANUP_API_TOKEN: 'tok' } });
    expect((await locked.get('/metrics')).status).toBe(401);
    expect((await locked.get('/metrics', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect(sampleValue(await scrape(locked, { authorization: 'Bearer tok' }), 'cleanup_run_in_progress')).toBe(0);
    const open = await startNotifyApp({ env: { CLEANUP_API_TOKEN: 'tok', CLEANUP_METRICS_PUBLIC: 'true' } });
    expect(sampleValue(await scrape(open), 'cleanup_run_in_progress')).toBe(0);
    expect((await open.get(`${CLEANUP}/status`)).status).toBe(401);
  });
});
