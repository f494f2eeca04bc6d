/**
 * Temp roots for tests: a fresh folder under the OS temp dir per test, removed afterwards.
 * Tests touch nothing outside the folders these helpers make.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { loadSettings, type Settings } from '../../src/config/settings.js';

const made: string[] = [];

/** A fixed clock for tests: 2026-02-07T19:07:36Z. */
export const NOW = Date.parse('2026-02-07T19:07:36Z');
export const DAY = 86_400_000;
export const HOUR = 3_600_000;

/** Makes an empty temp folder that is removed after the current test. */
export function makeTempDir(prefix = 'cw-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes a file (creating parents) with the given mtime (ms since epoch). */
export function writeFileAt(root: string, rel: string, mtimeMs: number, content: string | Buffer = 'x'): string {
  const abs = path.join(root, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, content);
  utimesSync(abs, mtimeMs / 1000, mtimeMs / 1000);
  return abs;
}

/** Settings for a temp root, without reading the real environment. */
export function settingsFor(root: string, env: Record<string, string> = {}, configFile?: string): Settings {
  return loadSettings({ env: { CLEANUP_SCHEDULE: 'off', ...env }, root, configFile });
}
