/**
 * The email a run's event sends: a subject, a plain-text body and the same in HTML. The body
 * holds the run's summary block (the same lines as the CLI, domain/summary.ts), its errors and
 * warnings, the categories that freed the most space, and a link to the run when `public_url`
 * is set. Every name is escaped (a file name can hold a newline) and, in HTML, entity-encoded.
 */
import { escapeControls } from '../domain/escape.js';
import type { OutboxEvent, RunPayload } from '../domain/notifications.js';
import { renderSummary } from '../domain/summary.js';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** How many errors and categories the email lists. */
const LIST_CAP = 10;

/** Renders `event` for people; `publicUrl` (no trailing slash) adds a link to the run. */
export function renderEmail(event: OutboxEvent, publicUrl: string | undefined): RenderedEmail {
  const run = event.run;
  if (!run) {
    const text = 'This is a test message from cleanup-worker: email notifications reach you.\n';
    return { subject: 'cleanup-worker: test notification', text, html: toHtml([{ kind: 'p', lines: [text.trim()] }]) };
  }
  const blocks = runBlocks(event, run, publicUrl);
  return {
    subject: escapeControls(subjectOf(event, run)),
    text: `${blocks.map((b) => b.lines.join('\n')).join('\n\n')}\n`,
    html: toHtml(blocks),
  };
}

function subjectOf(event: OutboxEvent, run: RunPayload): string {
  const what = event.type === 'archive.failed' ? 'archiving failed' : `run ${run.status}`;
  return `cleanup-worker: ${what} (${run.trigger}), ${run.stats.space_freed_mb.toFixed(2)} MB freed`;
}

interface Block {
  kind: 'p' | 'pre' | 'list';
  title?: string;
  lines: string[];
}

function runBlocks(event: OutboxEvent, run: RunPayload, publicUrl: string | undefined): Block[] {
  const head = event.type === 'archive.failed' ? 'Archiving failed during cleanup run' : 'Cleanup run';
  const blocks: Block[] = [
    {
      kind: 'p',
      lines: [
        `${head} ${run.run_id} ${run.status} (trigger ${run.trigger}${run.dry_run ? ', dry run: nothing was deleted' : ''}).`,
        `Started ${run.started_at}, finished ${run.finished_at}, took ${(run.duration_ms / 1000).toFixed(1)} s.`,
      ],
    },
    { kind: 'pre', lines: renderSummary(run.stats).trimEnd().split('\n') },
  ];
  const top = Object.entries(run.bytes_by_category)
    .filter(([, b]) => b > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, LIST_CAP);
  if (top.length) blocks.push({ kind: 'list', title: 'Top categories by space freed:', lines: top.map(([c, b]) => `${c}: ${mb(b)}`) });
  if (run.errors_total > 0) {
    const shown = run.errors.slice(0, LIST_CAP);
    const title = `Errors (${shown.length} of ${run.errors_total}):`;
    blocks.push({ kind: 'list', title, lines: shown.map((e) => `${e.category} ${e.target}: ${e.message}`) });
  }
  if (run.warnings.length) blocks.push({ kind: 'list', title: 'Warnings:', lines: run.warnings.slice(0, LIST_CAP) });
  if (publicUrl) blocks.push({ kind: 'p', lines: [`Run details: ${publicUrl}/api/system/cleanup/runs/${encodeURIComponent(run.run_id)}`] });
  for (const b of blocks) b.lines = b.lines.map(escapeControls);
  // The text form: list titles above their lines, list lines indented.
  return blocks.map((b) => (b.kind === 'list' ? { ...b, lines: [b.title ?? '', ...b.lines.map((l) => `  ${l}`)] } : b));
}

const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);

function toHtml(blocks: readonly Block[]): string {
  const body = blocks.map((b) => {
    if (b.kind === 'pre') return `<pre>${esc(b.lines.join('\n'))}</pre>`;
    if (b.kind === 'list') {
      const [title, ...items] = b.lines;
      return `<p>${esc(title ?? '')}</p><ul>${items.map((l) => `<li>${esc(l.trim())}</li>`).join('')}</ul>`;
    }
    return `<p>${b.lines.map((l) => linkify(esc(l))).join('<br>')}</p>`;
  });
  return `<!doctype html><html><body style="font-family: sans-serif">${body.join('\n')}</body></html>\n`;
}

/** The run link (already entity-encoded) as an anchor. */
function linkify(line: string): string {
  return line.replace(/(https?:\/\/[^\s<]+)/, '<a href="$1">$1</a>');
}
