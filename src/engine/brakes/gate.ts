/**
 * The gate a real run's removals pass through when the run carries out a checked plan: every
 * executor (files, emptied folders, rows, archived backups and copies) asks it right before it
 * removes an item. Two gates: a plan's (issue 14: exactly the previewed items, nothing else) and
 * the brake's budget (issue 15: never more per category than the brake checked).
 */
import type { Category, Item } from '../../domain/types.js';

/** A removal about to happen, as the executor sees it now. */
export interface Removal {
  category: Category;
  target: string;
  bytes: number;
  action: Item['action'];
  /** Files: the mtime the run found (a file written after the plan was made changed since). */
  mtimeMs?: number;
}

/** `go`: remove it (after the executor's own re-checks); `outside`: not the gate's to remove, keep it silently; else why it stays. */
export type Admission = 'go' | 'outside' | { skip: string };

export interface RemovalGate {
  /** Asked once per planned removal, right before the executor's re-checks. */
  admit(removal: Removal): Admission;
  /** Whether a kept item (a protected file, a referenced row) belongs to what the gate covers, so it is reported (by the caller, with its reason). */
  covers(category: Category, target: string): boolean;
  /** Once the handlers are done: reports what the gate has to say (plan items never reached, items left outside). */
  finish(report: { skipped(s: { category: Category; target: string; reason: string }): void; warning(message: string): void }): void;
}

/** One planned item of a plan, as the history holds it. */
export interface PlannedItem {
  bytes: number;
  action: Item['action'];
}

/** How a plan's items are keyed: category and target (a target never holds NUL). */
export const planKey = (category: string, target: string): string => `${category}\u0000${target}`;
const key = planKey;

/** The reason an item of the plan that the run never reached is kept. */
export const NOT_REACHED = 'not removed: gone, or no longer due under the plan\'s policy, when the plan was applied';

/**
 * A plan's gate: admits exactly the plan's items (same category, target and action; a file of
 * the same size, not modified after the plan was made, `planNow`); everything else is outside.
 * At the end, every plan item never admitted is reported as skipped, and the items that now
 * qualify but were not planned become one warning.
 */
export function createPlanGate(planId: string, items: ReadonlyMap<string, PlannedItem>, planNow: number): RemovalGate {
  const reached = new Set<string>();
  let outside = 0;
  return {
    admit(r) {
      const k = key(r.category, r.target);
      const planned = items.get(k);
      if (!planned) {
        outside++;
        return 'outside';
      }
      reached.add(k);
      if (planned.action !== r.action) return { skip: `changed since it was planned (planned: ${planned.action}, now: ${r.action})` };
      if (r.action !== 'rmdir' && planned.bytes !== r.bytes) return { skip: 'changed since it was planned (size)' };
      if (r.mtimeMs !== undefined && r.mtimeMs > planNow) return { skip: 'changed since it was planned (mtime)' };
      return 'go';
    },
    covers(category, target) {
      const k = key(category, target);
      if (!items.has(k)) return false;
      reached.add(k); // reported by the executor with its own reason: not again at the end
      return true;
    },
    finish(report) {
      for (const k of items.keys()) {
        if (reached.has(k)) continue;
        const [category, target] = k.split('\u0000') as [Category, string];
        report.skipped({ category, target, reason: NOT_REACHED });
      }
      if (outside > 0) {
        const one = outside === 1;
        report.warning(`${outside} item${one ? ' that qualifies now but is' : 's that qualify now but are'} not in plan ${planId}: kept (a new preview lists ${one ? 'it' : 'them'})`);
      }
    },
  };
}

/**
 * The brake's budget: per category, at most as many removals as the brake checked before the
 * run (`planned`); the rest stays for the next run. Emptied folders are not counted (SPEC 3.8).
 */
export function createBudgetGate(planned: ReadonlyMap<string, number>): RemovalGate {
  const used = new Map<string, number>();
  let over = 0;
  return {
    admit(r) {
      if (r.action === 'rmdir') return 'go';
      const n = used.get(r.category) ?? 0;
      const limit = planned.get(r.category) ?? 0;
      if (n >= limit) {
        over++;
        return { skip: `beyond the ${limit} ${r.category} item${limit === 1 ? '' : 's'} the brake checked before this run; the next run takes it` };
      }
      used.set(r.category, n + 1);
      return 'go';
    },
    covers: () => true,
    finish(report) {
      if (over > 0) report.warning(`${over} item${over === 1 ? '' : 's'} qualified during the run beyond what the brake checked: kept`);
    },
  };
}
