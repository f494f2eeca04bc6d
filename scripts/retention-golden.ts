/**
 * `npm run golden:retention`: writes one golden file per case of scripts/retention-cases.ts to
 * test/golden/retention/ (or the folder given): the policy in English, every kept backup with its
 * local time and reasons, and the removed ones (listed when there are few). Review the diff by
 * hand before committing: the golden test then holds the planner to it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyRetention, describeRetention, wallClockIn } from '../src/domain/retention/index.js';
import { RETENTION_CASES, type RetentionCase } from './retention-cases.js';

/** Removed backups are listed by name up to this many; beyond, only counted. */
const LIST_REMOVED_UP_TO = 200;

/** The golden record of one case: what a person checks against restic's rules. */
export function goldenOf(c: RetentionCase) {
  const history = c.history();
  const decisions = applyRetention(history, c.policy, { tz: c.tz, now: Date.parse(c.now) });
  const wall = wallClockIn(c.tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = (ms: number) => {
    const w = wall(ms);
    return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  };
  const kept = decisions.filter((d) => d.action === 'keep');
  const removed = decisions.filter((d) => d.action === 'remove');
  return {
    case: c.name,
    about: c.about,
    tz: c.tz,
    now: c.now,
    policy: c.policy,
    policy_text: describeRetention(c.policy),
    backups: history.length,
    kept_count: kept.length,
    removed_count: removed.length,
    removed_reason: removed[0]?.text ?? null,
    kept: kept.map((d) => ({ name: d.item.name, local: local(d.item.timestampMs), reason: d.text })),
    removed: removed.length <= LIST_REMOVED_UP_TO ? removed.map((d) => d.item.name) : `${removed.length} backups, not listed`,
  };
}

function main(): void {
  const dir = path.resolve(process.argv[2] ?? 'test/golden/retention');
  mkdirSync(dir, { recursive: true });
  for (const c of RETENTION_CASES) {
    writeFileSync(path.join(dir, `${c.name}.json`), `${JSON.stringify(goldenOf(c), null, 2)}\n`);
  }
  process.stdout.write(`wrote ${RETENTION_CASES.length} golden files to ${dir}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) main();
