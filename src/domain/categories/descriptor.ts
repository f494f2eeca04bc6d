/**
 * What a category is, as data: one descriptor per category (domain/categories/<name>.ts),
 * registered in one list (index.ts). Everything that names the categories (the settings and API
 * schemas, the stats, the policy text, the CLI summaries, the engine's handlers, the folders
 * other walks must not enter) is derived from that list.
 */
import type { Policy } from '../policy.js';

/** Largest age/retention we accept: ~27 years of days keeps every date computation finite. */
export const MAX_COUNT = 10_000;

/** An age rule: items strictly older than the limit go. */
export interface AgeRule {
  readonly kind: 'age';
  /** The settings / API / config field of the limit, e.g. `log_age_days`. */
  readonly setting: string;
  readonly unit: 'days' | 'hours';
  /** The limit when nothing overrides it (SPEC section 2). */
  readonly default: number;
  /** The largest limit accepted. */
  readonly max: number;
  /** What the timestamp means, as the reason text says it: "modified", "finished", … */
  readonly verb: string;
  readonly action: 'delete' | 'archive';
}

/** Backups: the N most recent per environment are kept (planner.ts planBackups). */
export interface RetentionRule {
  readonly kind: 'retention';
  readonly setting: 'backup_retention';
  readonly defaults: Readonly<Record<string, number>> & { readonly default: number };
}

/** How a condition column says a row is finished with (engine/db/schema.ts turns it into SQL). */
export type ConditionKind = 'finished-status' | 'resolved-flag' | 'resolved-status';

export interface ConditionRule {
  readonly kind: ConditionKind;
  /** Column names tried, in order. */
  readonly columns: readonly string[];
}

/** Where a database category's rows live: tables and columns tried in order (SPEC section 1). */
export interface RowSource {
  readonly tables: readonly string[];
  /** Tried in order: the first rule with an existing column applies. Empty: every row qualifies. */
  readonly conditions: readonly ConditionRule[];
  readonly ageColumns: readonly string[];
}

/**
 * Which engine strategy carries a category out (engine/handlers.ts maps each to a handler):
 * `backups` ranks per environment; `logs` walks for log names; `temp` walks and prunes emptied
 * folders; `files` walks a folder and removes files by age; `rows` sweeps a database table.
 */
export type Strategy = 'backups' | 'logs' | 'temp' | 'files' | 'rows';

export interface CategoryDescriptor {
  /** The category's name in the API, the config and the history: `temp`. */
  readonly name: string;
  readonly kind: 'files' | 'rows';
  /** How people read it: "Temp files". */
  readonly label: string;
  /** Its counter in the stats: `temp_files_deleted`. */
  readonly statKey: string;
  /** Files: the settings `paths` key of its folder(s), and the default. */
  readonly path?: { readonly key: string; readonly default: string | readonly string[] };
  readonly rule: AgeRule | RetentionRule;
  /** The policy in English, after `<name>: ` (describePolicy); `self` is this descriptor. */
  policyLine(policy: Policy, self: CategoryDescriptor): string;
  /** The summary lines: "Temp files deleted" (real run), "Temp files to delete" (dry run). */
  readonly summary: { readonly done: string; readonly planned: string };
  /** Rows: where they live. */
  readonly rows?: RowSource;
  readonly strategy: Strategy;
}

/** Declares a category, keeping its literal name and stat key in the types. */
export function defineCategory<const D extends CategoryDescriptor>(d: D): D {
  return Object.freeze(d);
}

/** The limit an age rule applies under a policy, in the rule's unit. */
export function ageLimit(policy: Policy, d: CategoryDescriptor): number {
  if (d.rule.kind !== 'age') throw new TypeError(`${d.name} has no age rule`);
  return policy.ages[d.name] ?? d.rule.default;
}

