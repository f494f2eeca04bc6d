/**
 * Fuzzed command lines (SPEC 3 rule 9, section 6), in process: `parseCliArgs` either refuses
 * with a UsageError or returns a command that deletes only with `--force` (and never with
 * `--dry-run`); `main` answers every refused argv with exit 2 and touches nothing; accepted
 * argv without `--force` are dry runs that touch nothing either.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../src/cli/args.js';
import { type CliIo, main } from '../../src/cli/main.js';
import { RunOverridesSchema } from '../../src/config/schema.js';
import { cliEnv } from '../cli/cli-helpers.js';
import { buildSmallFixture, CLI, fingerprint, OWN_STATE } from './helpers.js';

const SEED = 20_260_207;
const SCALE = process.env.CLEANUP_SOAK === '1' ? 10 : 1;
const TOKENS = [
  '--dry-run', '--force', '--days', '--keep', '--root', '--config', '--json', '--daemon', '--status', '--stop', '-h', '--help', '--version',
  '--days=1', '--keep=0', '--keep=-1', '--days=', '--force=true', '--force=false', '--dry-run=1', '--no-force', '--FORCE', '-f', '--forc', '--',
  '-', '1', '0', '-1', '-0', '1.5', '1e3', '0x10', '10000', '10001', '9007199254740993', '', ' ', ' 5', '+3', '٣', '5\n', 'x', 'data', '../data', '.',
];
const token = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) });
const argvArb = fc.array(token, { maxLength: 7 });

let work = '';
let root = '';
let before: string[] = [];
const tally = { parsed: 0, refused: 0, mainRuns: 0, dryRuns: 0, binRuns: 0, ms: 0 };
/** Argv that main() refused or ran dry in process, with what it said: replayed through the real bin.js. */
const sample: { kind: 'refused' | 'dry'; argv: string[]; code: number; err: string }[] = [];
const sampled = (kind: 'refused' | 'dry') => sample.filter((c) => c.kind === kind).length;
const SAMPLE_REFUSED = 24;
const SAMPLE_DRY = 6;

beforeAll(() => {
  // cwd for main(): the default root `./data` is the fixture, relative roots land in here too.
  work = mkdtempSync(path.join(os.tmpdir(), 'cw-fuzz-cli-'));
  root = path.join(work, 'data');
  buildSmallFixture(root, Date.now());
  // The CLI appends to its own log file; creating it up front keeps logs/ itself unchanged.
  writeFileSync(path.join(root, 'logs/cleanup_worker.log'), '');
  before = fingerprint(root, OWN_STATE);
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  console.info(
    `[reliability] CLI fuzz: ${tally.parsed} argv parsed (${tally.refused} refused), ${tally.mainRuns} main() calls (${tally.dryRuns} dry runs), ` +
      `${tally.binRuns} through bin.js, ${tally.ms} ms`,
  );
});

function io(): CliIo & { out: string; err: string } {
  const sink = { out: '', err: '' };
  return Object.assign(sink, {
    stdout: { write: (s: string) => (sink.out += s) },
    stderr: { write: (s: string) => (sink.err += s) },
    env: { CLEANUP_SCHEDULE: 'off', LOG_LEVEL: 'silent' },
    cwd: work,
  });
}

describe('fuzzed command lines', () => {
  it('refused argv exit 2 and change nothing; only --force (without --dry-run) ever deletes', { timeout: 60_000 * SCALE }, async () => {
    const t0 = Date.now();
    let dryRunsLeft = 8 * SCALE;
    await fc.assert(
      fc.asyncProperty(argvArb, async (argv) => {
        tally.parsed++;
        let cmd: ReturnType<typeof parseCliArgs> | null = null;
        try {
          cmd = parseCliArgs(argv);
        } catch (err) {
          expect(err, `argv ${JSON.stringify(argv)} threw a non-usage error`).toBeInstanceOf(UsageError);
          expect((err as Error).message).not.toContain('\n');
        }
        if (!cmd) {
          tally.refused++;
          tally.mainRuns++;
          const sink = io();
          expect(await main(argv, sink), `${JSON.stringify(argv)}: ${sink.err}`).toBe(2);
          expect(sink.err).toMatch(/^cleanup-worker: .+; see --help\n$/);
          expect(fingerprint(root, OWN_STATE)).toEqual(before);
          if (sampled('refused') < SAMPLE_REFUSED && execable(argv)) sample.push({ kind: 'refused', argv, code: 2, err: sink.err });
          return;
        }
        const deletes = cmd.mode === 'run' && !cmd.dryRun;
        if (deletes) {
          expect(argv, 'a deleting command needs --force').toContain('--force');
          expect(argv).not.toContain('--dry-run');
        }
        if (cmd.mode !== 'run') expect(cmd.overrides).toEqual({});
        expect(Value.Check(RunOverridesSchema, cmd.overrides)).toBe(true);
        if (cmd.mode === 'run' && cmd.dryRun && dryRunsLeft > 0) {
          dryRunsLeft--;
          tally.mainRuns++;
          tally.dryRuns++;
          const sink = io();
          const code = await main(argv, sink);
          // 0 (done) or 2 (a bad --config/--root caught after parsing); never a deletion.
          expect([0, 2], `${JSON.stringify(argv)}: ${sink.err}`).toContain(code);
          expect(fingerprint(root, OWN_STATE), `argv ${JSON.stringify(argv)} changed the root`).toEqual(before);
          if (sampled('dry') < SAMPLE_DRY && execable(argv)) sample.push({ kind: 'dry', argv, code, err: sink.err });
        }
      }),
      { seed: SEED, numRuns: 2000 * SCALE },
    );
    tally.ms += Date.now() - t0;
  });

  // main() in process is not the program people run: replay a sample through the built bin.js.
  it('the real bin.js answers a sample of them the same way: refused exit 2 with the same line, dry runs change nothing', { timeout: 120_000 }, async () => {
    expect([sampled('refused'), sampled('dry')]).toEqual([SAMPLE_REFUSED, SAMPLE_DRY]);
    for (const c of sample) {
      const r = await runBin(c.argv);
      tally.binRuns++;
      expect({ argv: c.argv, code: r.code }).toEqual({ argv: c.argv, code: c.code });
      if (c.kind === 'refused') expect(r.stderr, JSON.stringify(c.argv)).toBe(c.err);
      expect(fingerprint(root, OWN_STATE), `argv ${JSON.stringify(c.argv)} changed the root`).toEqual(before);
    }
  });
});

/** An argv a process can be given (no NUL byte). */
function execable(argv: readonly string[]): boolean {
  return argv.every((a) => !a.includes('\0'));
}

/** Runs dist/src/cli/bin.js with `argv` in the fuzz folder, as main() ran in process. */
function runBin(argv: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], { cwd: work, env: cliEnv({ LOG_LEVEL: 'silent' }), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}
