/**
 * Child: what SPEC 3.8's bookkeeping costs per removed row, alone, with the engine's own parts:
 * one "removed rows" line per batch of 5000 through the run's pino child logger (file destination,
 * as the CLI writes it), and one history entry through the state store (blocks of 1000, as the engine appends).
 * Goal 3's notes set it beside the plain DELETE's cost per row: the floor the spec puts under
 * the engine's ratio, whatever the deleting costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSettings } from '../../../src/config/settings.js';
import { createRowBatchLog } from '../../../src/engine/run-listeners.js';
import { closeLogger, createLogger } from '../../../src/logging.js';
import { openStateStore } from '../../../src/store/state-store.js';
import type { Item } from '../../../src/engine/types.js';
import { serveChild } from '../protocol.js';

export interface BookkeepingJob {
  rows: number;
}

export interface BookkeepingResult {
  rows: number;
  logUsPerRow: number;
  historyUsPerRow: number;
}

serveChild<BookkeepingJob, BookkeepingResult>({
  async start(job) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cw-bench-bookkeeping-'));
    try {
      const settings = loadSettings({ env: { CLEANUP_SCHEDULE: 'off' }, root });
      const items: Item[] = Array.from({ length: job.rows }, (_, i) => ({
        category: 'tasks',
        target: `architect.db:task_queue#${i + 1}`,
        bytes: 0,
        action: 'delete',
        reason: `finished ${8 + (i % 50)} days ago, limit 7 days`,
      }));
      const logger = createLogger(settings, { stdout: false });
      const store = openStateStore(settings);
      const runId = store.startRun({ trigger: 'cli', dryRun: false, settings: {} });
      // SPEC 3.8 as changed by issue 16: one line per batch of 5000 rows naming every rowid.
      const logBatch = createRowBatchLog(logger, runId, false);
      let t0 = performance.now();
      for (let k = 0; k < items.length; k += 5000) {
        const rowids = Array.from({ length: Math.min(5000, items.length - k) }, (_, n) => k + n + 1);
        logBatch({ category: 'tasks', table: 'task_queue', action: 'delete', rowids });
      }
      await closeLogger(logger);
      const logMs = performance.now() - t0;
      t0 = performance.now();
      for (let k = 0; k < items.length; k += 1000) store.appendItems(runId, items.slice(k, k + 1000));
      const historyMs = performance.now() - t0;
      store.close();
      const us = (ms: number) => Math.round((ms * 1000 * 100) / job.rows) / 100;
      return { info: { rows: job.rows, logUsPerRow: us(logMs), historyUsPerRow: us(historyMs) }, calls: { stop: () => null } };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
});
