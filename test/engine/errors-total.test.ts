/**
 * Issue 10: `errors_total` in the run history (and so in GET /runs) is the full count. The
 * response carries the first 1000 errors; the total was taken from that capped list.
 */
import { describe, expect, it } from 'vitest';
import type { CategoryHandler } from '../../src/engine/context.js';
import { RESPONSE_CAP } from '../../src/engine/engine.js';
import { makeHttpFixture } from '../helpers/http-app.js';

const failing = (n: number): CategoryHandler => ({
  category: 'logs',
  async run(ctx) {
    for (let i = 0; i < n; i++) ctx.report.error({ category: 'logs', target: `logs/f${i}.log`, message: 'EPERM: operation not permitted' });
  },
});

describe('errors_total', () => {
  it('counts every error of a run, beyond the 1000 a response carries', async () => {
    const f = makeHttpFixture({ handlers: [failing(RESPONSE_CAP + 537)] });
    const res = await f.app.inject({ method: 'POST', url: '/api/system/cleanup', payload: { dry_run: false } });
    const body = res.json();
    expect(body.errors).toHaveLength(RESPONSE_CAP);
    expect(body.success).toBe(false);
    expect(f.store.getRun(body.run_id)?.errors_total).toBe(RESPONSE_CAP + 537);
    const runs = (await f.app.inject({ method: 'GET', url: '/api/system/cleanup/runs' })).json();
    expect(runs.runs[0]).toMatchObject({ run_id: body.run_id, status: 'partial', errors_total: RESPONSE_CAP + 537 });
    const one = (await f.app.inject({ method: 'GET', url: `/api/system/cleanup/runs/${body.run_id}` })).json();
    expect(one.run.errors_total).toBe(RESPONSE_CAP + 537);
  });
});
