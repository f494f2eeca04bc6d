/**
 * Text output for plans and brakes (issues 14 and 15): the line that follows a dry run (its
 * plan and how to apply it), and a refused run (nothing deleted, what was planned, how to confirm).
 */
import { CATEGORY_LIST } from '../domain/categories/index.js';
import { countOf } from '../domain/summary.js';
import type { RunResult } from '../domain/types.js';
import { escapeControls } from './escape.js';

/** After a dry run: its plan id and the command that carries out exactly that plan. */
export function renderPlanLine(planId: string, ttlMinutes: number): string {
  return `Plan ${planId}: cleanup-worker --apply ${planId} removes exactly these items (within ${ttlMinutes} minutes).\n`;
}

/** A refused run, for stdout: it says `refused`, what the plan held per category, and how to confirm. */
export function renderRefused(result: RunResult): string {
  const lines = ['Cleanup refused: nothing was deleted.', '', `Planned (run ${result.run_id}, kept as a plan):`];
  for (const d of CATEGORY_LIST) lines.push(`  ${d.summary.planned}: ${countOf(result.stats, d)}`);
  lines.push(
    `  Space to free: ${result.stats.space_freed_mb.toFixed(2)} MB`,
    '',
    `To go ahead: cleanup-worker --apply ${result.run_id} (exactly these items), or cleanup-worker --force --allow-large (a new run).`,
    '',
  );
  return `${lines.map(escapeControls).join('\n')}`;
}
