/** The Markdown table printed at the end, and the JSON file written to bench-results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions } from './args.js';
import type { Check, GoalResult } from './results.js';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  options: BenchOptions;
  machine: { cpus: number; cpuModel: string; memGb: number; node: string; platform: string; tmpdir: string };
  conditions: string[];
  fixtures: unknown;
  goals: GoalResult[];
}

/** Facts about the machine that make a figure comparable. */
export function machineInfo(): BenchReport['machine'] {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    tmpdir: os.tmpdir(),
  };
}

function fmt(n: number | null, unit = ''): string {
  if (n === null || !Number.isFinite(n)) return '—';
  const v = Math.abs(n) >= 100 ? Math.round(n).toString() : n.toFixed(2).replace(/\.?0+$/, '');
  return unit ? `${v} ${unit}` : v;
}

function figure(c: Check, v: number | null): string {
  if (v === null) return '—';
  if (c.unit === 'x') return c.name.includes('req/s') ? `${fmt(v)} req/s` : fmt(v, 'ms');
  return fmt(v, c.unit);
}

/** One Markdown table: a row per check, medians and ratios, pass/fail. */
export function markdownTable(goals: readonly GoalResult[]): string {
  const rows = ['| goal | check | engine (median) | reference (median) | measured | limit | result |', '|---|---|---|---|---|---|---|'];
  for (const g of goals) {
    for (const c of g.checks) {
      const measured = c.unit === 'x' ? `${fmt(c.measured)}x` : figure(c, c.measured);
      const limit = c.unit === 'x' ? `${c.op} ${c.limit}x` : `${c.op} ${c.limit}${c.unit ? ` ${c.unit}` : ''}`;
      rows.push(`| ${g.goal} | ${c.name} | ${figure(c, c.engine)} | ${figure(c, c.reference)} | ${measured} | ${limit} | ${c.pass ? 'met' : '**MISSED**'} |`);
    }
  }
  return rows.join('\n');
}

/** The notes of each goal, as a Markdown list. */
export function markdownNotes(goals: readonly GoalResult[]): string {
  return goals.map((g) => `- **${g.goal}** ${g.title}\n${g.notes.map((n) => `  - ${n}`).join('\n')}`).join('\n');
}

/** Writes the report as `<dir>/<timestamp>.json`; returns the path. */
export function writeJson(dir: string, report: BenchReport): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${report.startedAt.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}
