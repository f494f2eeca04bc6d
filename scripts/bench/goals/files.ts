/**
 * Goals 1 and 2: planning and deleting the old half of a big logs + temp tree, against GNU find
 * on the same tree (planning) or an identical `cp -a` copy (deleting), interleaved A B / B A.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { runOnceChild } from '../child.js';
import type { EngineJob, EngineResult } from '../children/engine-child.js';
import { countFiles, runFind, syncDisks } from '../commands.js';
import { buildTrees } from '../fixtures.js';
import { absCheck, type GoalResult, ratioCheck, say } from '../results.js';
import { median } from '../stats.js';
import { removeTree } from '../workdir.js';

export interface FilesContext {
  work: string;
  /** The master tree's root (dry runs use it in place; real runs use copies). */
  treeRoot: string;
  expectedOld: number;
  repeat: number;
  /** Tree size and clock, to build identical copies. */
  files: number;
  now: number;
}

/** Runs the engine in a child on `root`; removes its state folder and log file afterwards. */
export async function runEngine(job: EngineJob): Promise<EngineResult> {
  const r = await runOnceChild<EngineResult>('engine-child', job);
  return r;
}

function forgetEngineTraces(root: string): void {
  removeTree(path.join(root, '.cleanup'));
  removeEngineLogs(root);
}

/** The engine's own log file and its rotated copies (cleanup_worker.log.1, …): not part of the tree. */
function removeEngineLogs(root: string): void {
  const logs = path.join(root, 'logs');
  for (const name of readdirSync(logs)) if (name.startsWith('cleanup_worker.log')) removeTree(path.join(logs, name));
}

/** Goal 1: a dry run of logs + temp vs `find -type f -mtime +1` on the same tree. */
export async function benchPlan(c: FilesContext): Promise<GoalResult> {
  const runs: { rep: number; order: string; find: { ms: number; rssMb: number | null; found: number }; engine: Record<string, unknown> }[] = [];
  for (let rep = 0; rep < c.repeat; rep++) {
    const engineFirst = rep % 2 === 1;
    let found: Awaited<ReturnType<typeof runFind>> | null = null;
    let eng: EngineResult | null = null;
    for (const side of engineFirst ? ['engine', 'find'] : ['find', 'engine']) {
      // Dirty pages left by the builder (or the last run's log) are written back before, not during, a side.
      syncDisks();
      if (side === 'find') found = await runFind(c.treeRoot, { rssFile: path.join(c.work, 'find.rss') });
      else {
        eng = await runEngine({ root: c.treeRoot, categories: ['logs', 'temp'], dryRun: true, now: Date.now() });
        forgetEngineTraces(c.treeRoot);
      }
    }
    if (!found || !eng) throw new Error('unreachable');
    say(`plan rep ${rep + 1}: find ${ms(found.wallMs)} (${found.lines} files), engine ${ms(eng.wallMs)} (${eng.itemsTotal} items, ${eng.maxRssMb.toFixed(0)} MB, loop max ${eng.loop.maxMs} ms)`);
    runs.push({
      rep,
      order: engineFirst ? 'engine,find' : 'find,engine',
      find: { ms: found.wallMs, rssMb: found.maxRssMb, found: found.lines },
      engine: engineSummary(eng),
    });
  }
  const engMs = median(runs.map((r) => r.engine.wallMs as number));
  const findMs = median(runs.map((r) => r.find.ms));
  const agree = runs.every((r) => r.engine.itemsTotal === r.find.found && r.find.found === c.expectedOld);
  return {
    goal: '8 plan',
    title: 'plan logs+temp (dry run) vs find -mtime',
    checks: [
      ratioCheck('time vs find -type f -mtime', engMs, findMs, '<=', 1.5),
      absCheck('peak RSS of the run', median(runs.map((r) => r.engine.maxRssMb as number)), '<=', 150, 'MB'),
      absCheck('max event-loop delay during the run', median(runs.map((r) => r.engine.loopMaxMs as number)), '<=', 50, 'ms'),
    ],
    runs,
    notes: [
      agree ? `engine and find agree: ${c.expectedOld} files planned each time` : 'MISMATCH: the engine did not plan the same number of files as find',
      `find peak RSS ${median(runs.map((r) => r.find.rssMb ?? Number.NaN)).toFixed(1)} MB`,
    ],
  };
}

/**
 * Goal 2: a real run of logs + temp vs `find ... -delete`, each on an identical tree built by
 * the same builder (same names, sizes, mtimes). find works on the master tree itself, the
 * engine on a second tree; after each repetition both get their old half back, so the master
 * is whole again for the goals that follow.
 */
export async function benchDelete(c: FilesContext): Promise<GoalResult> {
  const runs: { rep: number; order: string; find: { ms: number; deleted: number; left: number }; engine: Record<string, unknown> }[] = [];
  const a = path.join(c.work, 'delete-engine');
  const b = c.treeRoot;
  say('delete: building a second tree for the engine side');
  await buildTrees([a], c.files, c.now);
  // The state folder stays between repetitions: the first run has no history (no brake), every
  // later one has the earlier run of the same size, so the brake plans the run first (a dry pass),
  // as on a host where the hourly run has history.
  forgetEngineTraces(a);
  for (let rep = 0; rep < c.repeat; rep++) {
    const engineFirst = rep % 2 === 1;
    let found: Awaited<ReturnType<typeof runFind>> | null = null;
    let eng: EngineResult | null = null;
    for (const side of engineFirst ? ['engine', 'find'] : ['find', 'engine']) {
      syncDisks();
      if (side === 'find') found = await runFind(b, { delete: true });
      else {
        eng = await runEngine({ root: a, categories: ['logs', 'temp'], dryRun: false, now: Date.now() });
        removeEngineLogs(a);
      }
    }
    if (!found || !eng) throw new Error('unreachable');
    const leftA = await countFiles(a);
    const leftB = await countFiles(b);
    say(`delete rep ${rep + 1}: find -delete ${ms(found.wallMs)} (${found.lines}), engine ${ms(eng.wallMs)} (${eng.itemsTotal}, ${eng.errors} errors); left ${leftA} vs ${leftB}`);
    runs.push({
      rep,
      order: engineFirst ? 'engine,find' : 'find,engine',
      find: { ms: found.wallMs, deleted: found.lines, left: leftB },
      engine: { ...engineSummary(eng), left: leftA },
    });
    const last = rep === c.repeat - 1;
    say(`delete rep ${rep + 1}: restoring the old half of ${last ? 'the master tree' : 'both trees'}`);
    await buildTrees(last ? [b] : [a, b], c.files, c.now, { oldOnly: true });
  }
  removeTree(a);
  const same = runs.every((r) => r.engine.left === r.find.left && r.engine.itemsTotal === r.find.deleted);
  return {
    goal: '8 delete',
    title: 'delete the planned files (real run) vs find -delete',
    checks: deleteChecks(runs),
    runs,
    notes: [
      same ? 'both sides deleted the same files and left the same count' : 'MISMATCH: the two copies differ after the run',
      `engine peak RSS ${median(runs.map((r) => r.engine.maxRssMb as number)).toFixed(0)} MB, max event-loop delay ${median(runs.map((r) => r.engine.loopMaxMs as number))} ms`,
    ],
  };
}

/**
 * The first repetition (no history: not braked) and the later ones (the brake's dry pass first)
 * are two checks, each against the find runs of the same repetitions.
 */
function deleteChecks(runs: { engine: Record<string, unknown>; find: { ms: number } }[]): GoalResult['checks'] {
  const ratio = (label: string, rs: typeof runs) => ratioCheck(label, median(rs.map((r) => r.engine.wallMs as number)), median(rs.map((r) => r.find.ms)), '<=', 1.1);
  const checks = [ratio('time vs find -type f -mtime -delete (first run on the root: no brake)', runs.slice(0, 1))];
  if (runs.length > 1) checks.push(ratio('the same with history (the brake plans the run first)', runs.slice(1)));
  return checks;
}

/** The figures of one engine run kept in the JSON. */
export function engineSummary(e: EngineResult): Record<string, unknown> {
  return {
    wallMs: e.wallMs,
    maxRssMb: e.maxRssMb,
    cpuMs: e.cpuMs,
    loopMaxMs: e.loop.maxMs,
    loopP99Ms: e.loop.p99Ms,
    itemsTotal: e.itemsTotal,
    errors: e.errors,
    skipped: e.skipped,
    status: e.status,
    storeAppendMaxMs: e.store.appendMaxMs,
    storeWriteMaxMs: e.store.writeMaxMs,
    warnings: e.warnings.slice(0, 5),
  };
}

export function ms(v: number): string {
  return v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}
