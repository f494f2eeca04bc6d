/**
 * Terminal injection (issue 10 item 8): a file name is chosen by whoever writes to the root;
 * printed raw, an ESC sequence recolours or clears the terminal and a newline forges a line of
 * the report. Every human line of the CLI shows control characters escaped. The --json output
 * stays JSON (JSON.stringify escapes what JSON must).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { escapeControls, renderDryRun, renderProblems } from '../../src/cli/render.js';
import { emptyStats } from '../../src/engine/stats.js';
import type { RunResult } from '../../src/engine/types.js';
import { writeConfig } from '../helpers/fs-fixtures.js';
import { DAY, makeTempDir, writeFileAt } from '../helpers/temp-root.js';
import { cliEnv, runCli } from './cli-helpers.js';

/** Anything a terminal would act on; a rendered text may hold none but the line breaks. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

const EVIL = {
  clear: '\u001b[2J\u001b[31mred.log',
  forged: 'x\n  Backups deleted: 999\n.log',
  title: 'keep\u001b]0;pwned\u0007.log',
  c1: 'csi\u009b31m.log',
  bidi: 'gol.\u202eexe.log',
  sep: 'a\u2028b.log',
};

describe('escapeControls', () => {
  it('writes out C0, DEL, C1, separators and bidi controls, and nothing else', () => {
    expect(escapeControls('plain/name é 漢 \\xff.log')).toBe('plain/name é 漢 \\xff.log');
    expect(escapeControls(EVIL.clear)).toBe('\\x1b[2J\\x1b[31mred.log');
    expect(escapeControls(EVIL.forged)).toBe('x\\n  Backups deleted: 999\\n.log');
    expect(escapeControls('a\tb\rc\u0000d\u007f')).toBe('a\\tb\\rc\\x00d\\x7f');
    expect(escapeControls(EVIL.c1)).toBe('csi\\x9b31m.log');
    expect(escapeControls(EVIL.bidi)).toBe('gol.\\u202eexe.log');
    expect(escapeControls(EVIL.sep)).toBe('a\\u2028b.log');
    expect(escapeControls('\u2066\u2069\u200f\u061c')).toBe('\\u2066\\u2069\\u200f\\u061c');
  });
});

function result(over: Partial<RunResult>): RunResult {
  return {
    success: true, dry_run: true, run_id: 'r1', trigger: 'cli', started_at: '', finished_at: '', duration_ms: 0, status: 'succeeded',
    stats: emptyStats(), items: [], items_total: 0, skipped: [], skipped_total: 0, errors: [], warnings: [], ...over,
  };
}

describe('rendered reports', () => {
  it('escape every name in the dry-run listing, the kept list, warnings and errors', () => {
    const names = Object.values(EVIL);
    const items = names.map((n) => ({ category: 'logs' as const, target: `logs/${n}`, bytes: 1, action: 'delete' as const, reason: `because ${n}` }));
    const r = result({
      items,
      items_total: items.length,
      stats: { ...emptyStats(), logs_deleted: items.length },
      skipped: names.map((n) => ({ category: 'temp' as const, target: `tmp/${n}`, reason: `open by ${n}` })),
      skipped_total: names.length,
      warnings: names.map((n) => `logs: entries under logs/${n} could not be read`),
      errors: names.map((n) => ({ category: 'logs' as const, target: `logs/${n}`, message: `EPERM: unlink '/r/logs/${n}'` })),
      status: 'partial',
      success: false,
      dry_run: false,
    });
    const dry = renderDryRun({ ...r, dry_run: true }, '/root/\u001b[1mx', ['keep \u001b[8m']);
    const problems = renderProblems(r, false);
    for (const text of [dry, problems]) {
      expect(text).not.toMatch(ACTIVE);
      expect(text.split('\n').filter((l) => l.startsWith('  Backups deleted'))).toEqual([]);
    }
    expect(dry).toContain('Dry run for /root/\\x1b[1mx:');
    expect(dry).toContain('  logs/x\\n  Backups deleted: 999\\n.log (1 B): because x\\n  Backups deleted: 999\\n.log');
    expect(problems).toContain("cleanup-worker: error: logs logs/\\x1b[2J\\x1b[31mred.log: EPERM: unlink '/r/logs/\\x1b[2J\\x1b[31mred.log'");
    expect(problems).toContain('cleanup-worker: warning: logs: entries under logs/gol.\\u202eexe.log could not be read');
    expect(problems).toContain('  tmp/keep\\x1b]0;pwned\\x07.log: open by keep\\x1b]0;pwned\\x07.log');
  });
});

describe('the CLI over hostile names', () => {
  function hostileRoot(): string {
    const root = makeTempDir('cw-cli-');
    const old = Date.now() - 90 * DAY;
    for (const n of Object.values(EVIL)) writeFileAt(root, `logs/${n}`, old);
    return root;
  }

  it('main(): the dry run lists every name escaped, and --json stays exact JSON', async () => {
    const root = hostileRoot();
    const out = { stdout: '', stderr: '' };
    const io = {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s), isTTY: false },
      env: { CLEANUP_SCHEDULE: 'off', LOG_LEVEL: 'silent' },
      cwd: root,
    };
    expect(await main(['--root', root], io)).toBe(0);
    expect(out.stdout).not.toMatch(ACTIVE);
    expect(out.stdout.split('\n').filter((l) => l.startsWith('  Backups deleted'))).toEqual([]);
    for (const n of Object.values(EVIL)) expect(out.stdout).toContain(`  logs/${escapeControls(n)} (1 B): modified`);
    out.stdout = '';
    expect(await main(['--root', root, '--json'], io)).toBe(0);
    expect(JSON.parse(out.stdout).items.map((i: { target: string }) => i.target).sort()).toEqual(Object.values(EVIL).map((n) => `logs/${n}`).sort());
  });

  it('the built CLI: a real run prints kept names escaped on stderr', async () => {
    const root = hostileRoot();
    const config = writeConfig({ protect: ['logs/keep*'] });
    const r = await runCli(['--root', root, '--config', config, '--force'], { env: cliEnv() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('  Logs deleted: 5\n');
    expect(r.stderr).toContain(`  logs/${escapeControls(EVIL.title)}: protected by glob "logs/keep*"`);
    expect(r.stdout + r.stderr).not.toMatch(ACTIVE);
  });
});
