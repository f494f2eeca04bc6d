/**
 * The file tree of goals 1, 2 and 4: logs/, tmp/ and cache/ under a root, with real mtimes.
 * Half the files (every even index) are old: logs 31-90 days, temp 2.5-9 days; the other half
 * are under a day old. Old and new files share every folder, so no folder is emptied by a
 * cleanup and both sides do only file work. Every name under logs/ is a log name (SPEC 1), so
 * `find -type f -mtime +1` selects exactly what the engine's logs + temp policies remove.
 */
import { closeSync, futimesSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Files per folder: a busy log or cache folder. */
const PER_DIR = 500;
const LOG_SUFFIXES = ['.log', '.log.1', '.log.2.gz', '.log.gz', '.log-20251103', '.log-20251104.gz'];
const CONTENT = Buffer.alloc(1024, 0x61);

export interface TreeEntry {
  rel: string;
  mtimeMs: number;
  size: number;
  old: boolean;
}

export interface TreeSummary {
  files: number;
  old: number;
  bytes: number;
  oldBytes: number;
  dirs: number;
  buildMs: number;
}

/** The i-th file of a tree of `total` files, relative to `now` (deterministic). */
export function treeEntry(i: number, total: number, now: number): TreeEntry {
  const old = i % 2 === 0;
  const size = (i * 37) % 1024;
  const logs = Math.floor(total / 2);
  const tmp = Math.floor(total / 4);
  let rel: string;
  let ageMs: number;
  if (i < logs) {
    const dir = Math.floor(i / PER_DIR);
    rel = `logs/svc-${dir % 40}/batch-${dir}/worker-${i}${LOG_SUFFIXES[i % LOG_SUFFIXES.length]}`;
    ageMs = old ? (31 + (i % 60)) * DAY : (i % 20) * HOUR + 60_000;
  } else if (i < logs + tmp) {
    const j = i - logs;
    rel = `tmp/job-${Math.floor(j / PER_DIR)}/part-${j}.bin`;
    ageMs = old ? 60 * HOUR + (i % 160) * HOUR : (i % 20) * HOUR + 60_000;
  } else {
    const j = i - logs - tmp;
    const leaf = Math.floor(j / PER_DIR);
    rel = `cache/${(leaf & 0xff).toString(16).padStart(2, '0')}/${(leaf >> 8).toString(16).padStart(2, '0')}/obj-${j}.json`;
    ageMs = old ? 60 * HOUR + (i % 160) * HOUR : (i % 20) * HOUR + 60_000;
  }
  return { rel, mtimeMs: now - ageMs, size, old };
}

/**
 * Writes files [from, to) of a tree of `total` files under `root` (synchronous: this is the
 * harness, not the thing measured); with `oldOnly`, only the old ones (to restore a tree after
 * a real run removed them: same names, sizes and mtimes). Returns counts for what it wrote.
 */
export function buildTreeSlice(root: string, total: number, now: number, from: number, to: number, oldOnly = false): Omit<TreeSummary, 'buildMs'> {
  const made = new Set<string>();
  const s = { files: 0, old: 0, bytes: 0, oldBytes: 0, dirs: 0 };
  for (let i = from; i < to; i++) {
    if (oldOnly && i % 2 !== 0) continue;
    const e = treeEntry(i, total, now);
    const abs = path.join(root, e.rel);
    const dir = path.dirname(abs);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const fd = openSync(abs, 'w');
    if (e.size) writeSync(fd, CONTENT, 0, e.size);
    futimesSync(fd, e.mtimeMs / 1000, e.mtimeMs / 1000);
    closeSync(fd);
    s.files++;
    s.bytes += e.size;
    if (e.old) {
      s.old++;
      s.oldBytes += e.size;
    }
  }
  s.dirs = made.size;
  return s;
}

/** Builds a whole tree in this process. */
export function buildTree(root: string, total: number, now: number): TreeSummary {
  const t0 = performance.now();
  mkdirSync(path.join(root, 'sessions'), { recursive: true });
  const s = buildTreeSlice(root, total, now, 0, total);
  return { ...s, buildMs: performance.now() - t0 };
}
