/**
 * The retention planner against its golden files (test/golden/retention/, written by
 * `npm run golden:retention` and checked by hand against restic's rules), and the invariants
 * every case must hold, checked with an oracle that cuts buckets its own way (a different
 * formatter for the wall clock, a different ISO-week formula).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { goldenOf } from '../../scripts/retention-golden.js';
import { type GoldenBackup, RETENTION_CASES, type RetentionCase } from '../../scripts/retention-cases.js';
import { applyRetention, COUNT_RULES, type RetentionDecision } from '../../src/domain/retention/index.js';

const GOLDEN_DIR = fileURLToPath(new URL('../golden/retention/', import.meta.url));

/** The wall clock as "YYYY-MM-DD HH:MM:SS" from the sv-SE locale (not the planner's formatToParts). */
function oracleClock(tz: string) {
  const f = new Intl.DateTimeFormat('sv-SE', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (ms: number) => {
    const [date = '', time = ''] = f.format(ms).split(' ');
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return { y, m, d, h: Number(time.slice(0, 2)) };
  };
}

/** ISO week by the ordinal-date formula: week = floor((ordinal - weekday + 10) / 7), rolled into the neighbouring year. */
function oracleIsoWeek(y: number, m: number, d: number): string {
  const ordinal = (yy: number, mm: number, dd: number) => Math.round((Date.UTC(yy, mm - 1, dd) - Date.UTC(yy, 0, 1)) / 86_400_000) + 1;
  const weekday = ((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7) + 1; // Monday 1 … Sunday 7
  const weeksIn = (yy: number) => {
    const p = (v: number) => (v + Math.floor(v / 4) - Math.floor(v / 100) + Math.floor(v / 400)) % 7;
    return p(yy) === 4 || p(yy - 1) === 3 ? 53 : 52;
  };
  const w = Math.floor((ordinal(y, m, d) - weekday + 10) / 7);
  if (w < 1) return `${y - 1}-W${weeksIn(y - 1)}`;
  if (w > weeksIn(y)) return `${y + 1}-W1`;
  return `${y}-W${w}`;
}

type OracleTime = ReturnType<ReturnType<typeof oracleClock>>;

/** A backup's bucket under a rule, spelled differently from the planner's numbers. */
function oracleBucket(rule: string, time: OracleTime, index: number): string {
  const { y, m, d, h } = time;
  switch (rule) {
    case 'last': return String(index);
    case 'hourly': return `${y}-${m}-${d} ${h}`;
    case 'daily': return `${y}-${m}-${d}`;
    case 'weekly': return oracleIsoWeek(y, m, d);
    case 'monthly': return `${y}-${m}`;
    default: return String(y);
  }
}

function run(c: RetentionCase): { history: GoldenBackup[]; decisions: RetentionDecision<GoldenBackup>[] } {
  const history = c.history();
  return { history, decisions: applyRetention(history, c.policy, { tz: c.tz, now: Date.parse(c.now) }) };
}

describe('retention golden files (restic forget semantics)', () => {
  for (const c of RETENTION_CASES) {
    it(`${c.name}: matches its golden file`, () => {
      const want = JSON.parse(readFileSync(path.join(GOLDEN_DIR, `${c.name}.json`), 'utf8'));
      expect(goldenOf(c)).toEqual(want);
    });
  }
});

describe('retention invariants, for every golden case', () => {
  for (const c of RETENTION_CASES) {
    it(`${c.name}: every backup decided once, the newest kept, keep_last exact, no rule over its N most recent buckets`, () => {
      const { history, decisions } = run(c);
      // Decisions cover every backup exactly once.
      expect(decisions).toHaveLength(history.length);
      expect(new Set(decisions.map((d) => d.item))).toEqual(new Set(history));
      // Newest first, and the newest is always kept.
      const times = decisions.map((d) => d.item.timestampMs);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(decisions[0]?.action).toBe('keep');
      // Kept exactly when some rule says so; removed ones say which rules were tried.
      for (const d of decisions) {
        expect(d.action === 'keep').toBe(d.reasons.length > 0);
        expect(d.text.startsWith(d.action === 'keep' ? 'kept: ' : 'removed: not kept by any rule (')).toBe(true);
      }
      // keep_last N keeps exactly the N newest.
      const lastN = c.policy.keep_last ?? 0;
      const byLast = decisions.filter((d) => d.reasons.some((r) => r.rule === 'last')).map((d) => d.item);
      expect(byLast).toEqual(decisions.slice(0, lastN).map((d) => d.item));
      const clock = oracleClock(c.tz);
      const wall = decisions.map((d) => clock(d.item.timestampMs));
      // Each counting rule: at most N keeps; apart from restic's oldest, the newest backup of each
      // of the N most recent buckets that hold a backup (empty buckets never count).
      for (const rule of COUNT_RULES.filter((r) => r.key !== 'keep_last')) {
        const n = c.policy[rule.key] ?? 0;
        const mine = decisions.filter((d) => d.reasons.some((r) => r.rule === rule.name));
        expect(mine.length).toBeLessThanOrEqual(n);
        const heads: GoldenBackup[] = [];
        let prev: string | null = null;
        decisions.forEach((d, i) => {
          const b = oracleBucket(rule.name, wall[i] as OracleTime, i);
          if (b !== prev && heads.length < n) heads.push(d.item);
          prev = b;
        });
        const regular = mine.filter((d) => !d.reasons.some((r) => r.rule === rule.name && r.oldest)).map((d) => d.item);
        expect(regular).toEqual(heads);
        const oldest = mine.filter((d) => d.reasons.some((r) => r.rule === rule.name && r.oldest));
        expect(oldest.every((d) => d === decisions.at(-1)), 'only the oldest backup is kept as "oldest"').toBe(true);
        if (oldest.length) expect(heads.length).toBeLessThan(n);
      }
      // keep_within keeps a run of the newest (past) backups: never an older one without the newer.
      if (c.policy.keep_within) {
        const past = decisions.filter((d) => d.item.timestampMs < Date.parse(c.now));
        const within = past.map((d) => d.reasons.some((r) => r.rule === 'within'));
        expect(within).toEqual([...within].sort((a, b) => Number(b) - Number(a)));
      }
    });
  }
});
