/**
 * Goals 4 and 5: archiving backups (issue 12's pipeline: hash, gzip into a spool, store, verify,
 * remove the local file).
 * - 4a: one large backup compressed by the engine's pipeline (prepareSource) vs `gzip -6` on
 *   the same file (throughput, one core each);
 * - 4b: several backups archived by a real engine run (local target) vs the same run on one
 *   backup: bytes per second, so ~2x means both cores worked;
 * - 5: a real engine run archiving one backup to S3 (s3rver on loopback: compress, upload with
 *   a SHA-256 checksum, verify) vs a plain SDK upload of the already compressed file to the
 *   same server.
 * The backup is an SQLite database (the tasks table of goal 1), about as compressible as a real one.
 */
import { copyFileSync, mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { runOnceChild } from '../child.js';
import type { ArchiveJob, ArchiveResult } from '../children/archive-child.js';
import type { EngineResult } from '../children/engine-child.js';
import { timeCommand } from '../commands.js';
import { buildTasksDb } from '../dashboard-db.js';
import { absCheck, type GoalResult, ratioCheck, say } from '../results.js';
import { median } from '../stats.js';
import { removeTree } from '../workdir.js';
import { runEngine } from './files.js';

export interface ArchiveContext {
  work: string;
  repeat: number;
  /** Size of the large backup, bytes (approximate: a database of that many bytes). */
  backupBytes: number;
  now: number;
}

const DAY = 86_400_000;
const MB = 2 ** 20;

/** One backup file of about `bytes` (an SQLite database: text, numbers, indexes). */
function makeBackup(file: string, bytes: number, now: number): number {
  mkdirSync(path.dirname(file), { recursive: true });
  // ~234 bytes per row of the tasks table, indexes included (a 256 MB request gave 363 MB at 165).
  buildTasksDb(file, Math.max(1000, Math.round(bytes / 234)), now);
  return statSync(file).size;
}

/** A root with `names.length` copies of `source` in backups/prod (old names), the newest kept by retention 1 plus one more. */
function backupRoot(root: string, source: string, count: number, now: number, target: object): string {
  removeTree(root);
  const dir = path.join(root, 'backups', 'prod');
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i <= count; i++) {
    const at = new Date(now - (count + 1 - i) * DAY);
    const stamp = at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '_');
    const f = path.join(dir, `architect_${stamp}.db`);
    // The newest one is kept by the retention: a tiny file, so only the old ones weigh.
    if (i === count) writeFileSync(f, 'newest');
    else copyFileSync(source, f);
    utimesSync(f, at, at);
  }
  const config = path.join(root, 'cleanup.json');
  writeFileSync(config, JSON.stringify({ backup_retention: 1, backup_archive: { compress: true, target } }));
  return config;
}

async function archiveRun(root: string, config: string, now: number, env?: Record<string, string>): Promise<EngineResult> {
  const r = await runEngine({ root, categories: ['backups'], dryRun: false, now, configFile: config, env });
  if (r.errors > 0 || r.status !== 'succeeded') throw new Error(`archive run ${r.status}, ${r.errors} errors: ${r.warnings.join('; ')}`);
  return r;
}

/** Goal 4: compression throughput, one backup vs gzip -6, several backups vs one. */
export async function benchCompression(c: ArchiveContext): Promise<GoalResult> {
  const source = path.join(c.work, 'backup-src', 'architect.db');
  const size = makeBackup(source, c.backupBytes, c.now);
  say(`compression: backup of ${(size / MB).toFixed(0)} MB`);
  const one: { rep: number; engineMs: number; gzipMs: number; ratio: number; compressed: number }[] = [];
  for (let rep = 0; rep < c.repeat; rep++) {
    const gz = path.join(c.work, 'backup-src', 'ref.gz');
    const sides = rep % 2 ? ['engine', 'gzip'] : ['gzip', 'engine'];
    let e: ArchiveResult | null = null;
    let g = 0;
    for (const side of sides) {
      if (side === 'gzip') g = (await timeCommand('sh', ['-c', `gzip -6 -c "${source}" > "${gz}"`])).wallMs;
      else e = await runOnceChild<ArchiveResult>('archive-child', { kind: 'prepare', file: source, spoolDir: path.join(c.work, 'spool') } satisfies ArchiveJob);
    }
    if (!e) throw new Error('unreachable');
    one.push({ rep, engineMs: e.wallMs, gzipMs: g, ratio: e.bytesOut / size, compressed: e.bytesOut });
    say(`compression rep ${rep + 1}: gzip -6 ${Math.round(g)} ms, engine pipeline ${Math.round(e.wallMs)} ms (${(e.bytesOut / MB).toFixed(1)} MB out, CPU ${Math.round(e.cpuMs)} ms)`);
  }
  // Several backups: half-size copies so the run stays short; per-byte throughput of 4 vs 1.
  const half = path.join(c.work, 'backup-src', 'half.db');
  const halfSize = makeBackup(half, c.backupBytes / 2, c.now);
  const multi: { rep: number; oneMs: number; fourMs: number }[] = [];
  const root = path.join(c.work, 'archive-root');
  for (let rep = 0; rep < c.repeat; rep++) {
    const local = { type: 'local', dir: 'archive/backups' };
    let cfg = backupRoot(root, half, 1, c.now, local);
    const r1 = await archiveRun(root, cfg, c.now);
    cfg = backupRoot(root, half, 4, c.now, local);
    const r4 = await archiveRun(root, cfg, c.now);
    multi.push({ rep, oneMs: r1.wallMs, fourMs: r4.wallMs });
    say(`compression rep ${rep + 1}: archive run of 1 backup ${Math.round(r1.wallMs)} ms, of 4 backups ${Math.round(r4.wallMs)} ms (CPU ${Math.round(r4.cpuMs)} ms)`);
  }
  removeTree(root);
  const engMs = median(one.map((r) => r.engineMs));
  const gzMs = median(one.map((r) => r.gzipMs));
  const oneThroughput = halfSize / median(multi.map((r) => r.oneMs));
  const fourThroughput = (4 * halfSize) / median(multi.map((r) => r.fourMs));
  return {
    goal: '4',
    title: 'compression: the archive pipeline vs gzip -6; several backups on both cores',
    checks: [
      ratioCheck('one backup: throughput vs gzip -6', gzMs, engMs, '>=', 0.95),
      ratioCheck('4 backups vs 1 backup: archive throughput', fourThroughput, oneThroughput, '>=', 1.7),
    ],
    runs: [{ one }, { multi }],
    notes: [
      `one backup of ${(size / MB).toFixed(0)} MB: gzip -6 ${(size / MB / (gzMs / 1000)).toFixed(1)} MB/s, engine pipeline (read, SHA-256, gzip 6, SHA-256, spool) ${(size / MB / (engMs / 1000)).toFixed(1)} MB/s, compressed to ${((one[0]?.ratio ?? 0) * 100).toFixed(0)}%`,
      `archive runs (local target: compress, store, verify, remove): 1 backup of ${(halfSize / MB).toFixed(0)} MB at ${(oneThroughput * 1000 / MB).toFixed(1)} MB/s, 4 backups at ${(fourThroughput * 1000 / MB).toFixed(1)} MB/s`,
    ],
  };
}

type S3rverClass = new (opts: object) => { run(): Promise<unknown>; close(): Promise<void> };

/** Goal 5: archive one backup to S3 (s3rver) vs a plain SDK upload of the compressed file. */
export async function benchS3(c: ArchiveContext): Promise<GoalResult> {
  let S3rver: S3rverClass;
  try {
    // A dev dependency without types: named through a variable so the build does not need them.
    const name = 's3rver';
    S3rver = ((await import(name)) as { default: S3rverClass }).default;
  } catch {
    return unmeasured('5', 'archive to S3', 's3rver (a dev dependency) is not installed: goal 5 cannot be measured here');
  }
  const env = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' };
  Object.assign(process.env, env);
  const dir = path.join(c.work, 's3rver');
  mkdirSync(dir, { recursive: true });
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'bench', configs: [] }] });
  const addr = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${addr.port}`;
  try {
    const source = path.join(c.work, 'backup-src', 'architect.db');
    const size = statSync(source).size;
    const gz = path.join(c.work, 'backup-src', 'upload.gz');
    await timeCommand('sh', ['-c', `gzip -6 -c "${source}" > "${gz}"`]);
    const root = path.join(c.work, 's3-root');
    const runs: { rep: number; engineMs: number; uploadMs: number }[] = [];
    for (let rep = 0; rep < c.repeat; rep++) {
      let eng = 0;
      let up = 0;
      for (const side of rep % 2 ? ['engine', 'upload'] : ['upload', 'engine']) {
        if (side === 'upload') {
          const job: ArchiveJob = { kind: 's3-upload', file: gz, endpoint, bucket: 'bench', key: `plain/${rep}.gz` };
          up = (await runOnceChild<ArchiveResult>('archive-child', job)).wallMs;
        } else {
          const cfg = backupRoot(root, source, 1, c.now, { type: 's3', bucket: 'bench', prefix: `engine-${rep}/`, endpoint, force_path_style: true });
          eng = (await archiveRun(root, cfg, c.now, env)).wallMs;
        }
      }
      runs.push({ rep, engineMs: eng, uploadMs: up });
      say(`s3 rep ${rep + 1}: plain upload of the .gz ${Math.round(up)} ms, engine archive (compress, upload, verify) ${Math.round(eng)} ms`);
    }
    removeTree(root);
    const engMs = median(runs.map((r) => r.engineMs));
    const upMs = median(runs.map((r) => r.uploadMs));
    return {
      goal: '5',
      title: 'archive one backup to S3 (s3rver on loopback) vs a plain SDK upload of the compressed file',
      checks: [ratioCheck('speed vs plain upload of the .gz (upload time / archive time)', upMs, engMs, '>=', 0.8)],
      runs,
      notes: [
        `backup ${(size / MB).toFixed(0)} MB, compressed ${(statSync(gz).size / MB).toFixed(1)} MB; the engine's time includes compressing (goal 4), the upload with its SHA-256 and the verification`,
      ],
    };
  } finally {
    await server.close();
  }
}

/** A goal whose feature or tool is missing here: reported, with the reason, as not measured. */
export function unmeasured(goal: string, title: string, why: string): GoalResult {
  return { goal, title, checks: [absCheck(`not measured: ${why}`, Number.NaN, '<=', 0, '')], runs: [], notes: [why] };
}
