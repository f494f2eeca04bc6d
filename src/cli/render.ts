/**
 * Text output for people: the original summary block (SPEC section 6, line for line), the
 * dry-run listing grouped by category, and the warnings/skips/errors that follow a run.
 * Pure string builders: the caller decides stdout or stderr. Every line goes through
 * escapeControls: file names are chosen by whoever writes to the root, and a name holding an
 * ESC sequence or a newline must not recolour the terminal or forge a line of the report.
 */
import { CATEGORY_LIST, type CategoryDescriptor } from '../domain/categories/index.js';
import type { Item, RunResult } from '../domain/types.js';
import { countOf } from '../domain/summary.js';
import { formatBytes } from '../domain/format.js';
import { escapeControls } from './escape.js';

export { escapeControls } from './escape.js';
/** The summary block moved to domain/ (the email notification repeats it); re-exported for the CLI. */
export { renderSummary } from '../domain/summary.js';

/** How many items per category a dry run lists before "… and M more". */
export const LIST_PER_CATEGORY = 10;

/** Lines joined for a terminal: each one escaped (see escapeControls). */
function joinLines(lines: readonly string[]): string {
  return lines.map(escapeControls).join('\n');
}

export { formatBytes } from '../domain/format.js';

/**
 * A dry run: the policy, what each category would remove and why, what the retention policy keeps
 * (counted; listed with its reasons when `explain`), and a plain "nothing was deleted".
 */
export function renderDryRun(
  result: RunResult,
  root: string,
  policyLines: readonly string[],
  perCategory = LIST_PER_CATEGORY,
  list: readonly CategoryDescriptor[] = CATEGORY_LIST,
  explain = false,
): string {
  const lines = [`Dry run for ${root}: ${countWords(result, list)}.`, '', 'Policy:', ...policyLines.map((l) => `  ${l}`), ''];
  for (const d of list) lines.push(...renderCategory(result, d, perCategory));
  if (explain) lines.push('', ...keptLines(result));
  else if ((result.kept_total ?? 0) > 0) lines.push(`Kept by the retention policy: ${result.kept_total} (--explain lists each with its reasons)`);
  if (result.items.length < result.items_total) {
    lines.push(`(the listing draws on the first ${result.items.length} of ${result.items_total} items; the run's history has all of them: run ${result.run_id})`);
  }
  if (result.skipped_total > 0) lines.push('', ...renderSkipped(result));
  lines.push(
    '',
    'Dry Run Summary (nothing was deleted):',
    ...list.map((d) => `  ${d.summary.planned}: ${countOf(result.stats, d)}`),
    `  Space to free: ${result.stats.space_freed_mb.toFixed(2)} MB`,
    '',
    'Dry run: nothing was deleted. Run with --force to delete.',
    '',
  );
  return joinLines(lines);
}

function countWords(result: RunResult, list: readonly CategoryDescriptor[]): string {
  const n = list.reduce((sum, d) => sum + countOf(result.stats, d), 0);
  if (n === 0) return 'nothing would be removed';
  return `${n} ${n === 1 ? 'item' : 'items'} would be removed, freeing ${result.stats.space_freed_mb.toFixed(2)} MB`;
}

/**
 * The walker's threads share a tree, so file items come in no fixed order: list them by path
 * (files first, then the folders they leave empty) so two previews of the same tree read alike.
 * Rows come in rowid order and backups in their ranking already.
 */
function listingOrder(d: CategoryDescriptor, items: Item[]): Item[] {
  if (d.kind !== 'files' || d.rule.kind !== 'age') return items;
  const folder = (i: Item) => (i.action === 'rmdir' ? 1 : 0);
  return items.sort((a, b) => folder(a) - folder(b) || (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

function renderCategory(result: RunResult, d: CategoryDescriptor, perCategory: number): string[] {
  const items = listingOrder(d, result.items.filter((i) => i.category === d.name));
  const rmdirs = items.filter((i) => i.action === 'rmdir').length;
  const count = countOf(result.stats, d);
  const total = count + rmdirs;
  if (total === 0) return [`${d.label}: nothing to remove`];
  // Backups with backup_archive are archived (and archived copies beyond archive_policy deleted).
  const archived = items.filter((i) => i.action === 'archive').length;
  const verb = (d.rule.kind === 'age' && d.rule.action === 'archive') || (archived > 0 && archived === count) ? 'archived' : archived > 0 ? 'archived or deleted' : 'deleted';
  const complete = result.items.length === result.items_total;
  // Database rows free pages inside the database, not disk space: no size is shown for them.
  const size = complete && d.kind === 'files'
    ? ` (${formatBytes(items.reduce((s, i) => s + (i.action === 'rmdir' ? 0 : i.bytes), 0))})`
    : '';
  const folders = rmdirs ? ` and ${rmdirs} empty ${rmdirs === 1 ? 'folder' : 'folders'}` : '';
  const shown = items.slice(0, perCategory);
  const lines = [`${d.label}: ${count} would be ${verb}${size}${folders}`, ...shown.map((i) => renderItem(i, d))];
  if (total > shown.length) lines.push(`  … and ${total - shown.length} more`);
  return lines;
}

function renderItem(item: Item, d: CategoryDescriptor): string {
  if (item.action === 'rmdir') return `  ${item.target}/ (empty folder): ${item.reason}`;
  if (d.kind === 'rows') return `  ${item.target}: ${item.reason}`;
  return `  ${item.target} (${formatBytes(item.bytes)}): ${item.reason}`;
}

function renderSkipped(result: RunResult): string[] {
  const lines = [`Kept although old (${result.skipped_total}):`];
  const shown = result.skipped.slice(0, LIST_PER_CATEGORY);
  lines.push(...shown.map((s) => `  ${s.target}: ${s.reason}`));
  if (result.skipped_total > shown.length) lines.push(`  … and ${result.skipped_total - shown.length} more`);
  return lines;
}

/** `--explain` after a real run's summary: every backup the retention policy kept, and why. */
export function renderKept(result: RunResult): string {
  return `${joinLines(['', ...keptLines(result), ''])}\n`;
}

function keptLines(result: RunResult): string[] {
  const kept = result.kept ?? [];
  const total = result.kept_total ?? kept.length;
  if (total === 0) return ['Kept by the retention policy: nothing'];
  const lines = [`Kept by the retention policy (${total}):`, ...kept.map((k) => `  ${k.target}: ${k.reason}`)];
  if (total > kept.length) lines.push(`  … and ${total - kept.length} more`);
  return lines;
}

/** What follows a real run's summary, for stderr: kept items, warnings and failures. */
export function renderProblems(result: RunResult, dryRun: boolean): string {
  const lines: string[] = [];
  if (!dryRun && result.skipped_total > 0) lines.push(...renderSkipped(result));
  for (const w of result.warnings) lines.push(`cleanup-worker: warning: ${w}`);
  for (const e of result.errors) lines.push(`cleanup-worker: error: ${e.category} ${e.target}: ${e.message}`);
  if (result.status === 'interrupted') lines.push(`cleanup-worker: interrupted: run ${result.run_id} stopped before it finished`);
  return lines.length ? `${joinLines(lines)}\n` : '';
}
