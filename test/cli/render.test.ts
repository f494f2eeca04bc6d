import { describe, expect, it } from 'vitest';
import { renderDryRun } from '../../src/cli/render.js';
import { emptyStats } from '../../src/engine/stats.js';
import type { Item, RunResult } from '../../src/engine/types.js';

function result(items: Item[]): RunResult {
  const stats = emptyStats();
  for (const i of items) {
    if (i.action === 'rmdir') continue;
    if (i.category === 'temp') stats.temp_files_deleted++;
    if (i.category === 'tasks') stats.tasks_deleted++;
  }
  return {
    success: true, dry_run: true, run_id: 'r1', trigger: 'cli', started_at: '', finished_at: '', duration_ms: 1, status: 'succeeded',
    stats, items, items_total: items.length, skipped: [], skipped_total: 0, errors: [], warnings: [],
  };
}

const file = (target: string): Item => ({ category: 'temp', target, bytes: 1024, action: 'delete', reason: 'old' });
const folder = (target: string): Item => ({ category: 'temp', target, bytes: 0, action: 'rmdir', reason: 'empty folder left by temp cleanup' });
const row = (id: number): Item => ({ category: 'tasks', target: `architect.db:task_queue#${id}`, bytes: 0, action: 'delete', reason: 'old' });

describe('the dry-run listing', () => {
  it('lists files by path whatever order the walker threads found them in, emptied folders after them, rows as they came', () => {
    const found = [file('tmp/b/2'), folder('tmp/b'), file('tmp/a'), file('tmp/b/1'), folder('tmp/a2'), row(10), row(9)];
    const listing = (items: Item[]) => renderDryRun(result(items), '/root', []).split('\n');
    const lines = listing(found).filter((l) => /^ {2}(tmp|architect)/.test(l));
    expect(lines).toEqual([
      '  architect.db:task_queue#10: old',
      '  architect.db:task_queue#9: old',
      '  tmp/a (1.0 KB): old',
      '  tmp/b/1 (1.0 KB): old',
      '  tmp/b/2 (1.0 KB): old',
      '  tmp/a2/ (empty folder): empty folder left by temp cleanup',
      '  tmp/b/ (empty folder): empty folder left by temp cleanup',
    ]);
    expect(listing([...found].reverse()).filter((l) => /^ {2}tmp/.test(l))).toEqual(lines.filter((l) => l.startsWith('  tmp')));
  });
});
