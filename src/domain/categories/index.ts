/**
 * The one list of categories, in run and summary order. Adding a category = one descriptor
 * file beside this one + one line here (+ its engine strategy if none fits, + its tests).
 * Everything else (schemas, stats, policy text, CLI summaries, handlers) is derived.
 */
import { backups } from './backups.js';
import type { CategoryDescriptor } from './descriptor.js';
import type { Policy } from '../policy.js';
import { errors } from './errors.js';
import { logs } from './logs.js';
import { prompts } from './prompts.js';
import { tasks } from './tasks.js';
import { temp } from './temp.js';

export const CATEGORY_LIST = [backups, logs, tasks, errors, prompts, temp] as const;

type Builtin = (typeof CATEGORY_LIST)[number];
export type Category = Builtin['name'];
export type FileCategory = Extract<Builtin, { kind: 'files' }>['name'];
export type RowCategory = Extract<Builtin, { kind: 'rows' }>['name'];
export type AgeCategory = Extract<Builtin, { rule: { kind: 'age' } }>['name'];
export type StatKey = Builtin['statKey'];

/** The category names, in order. */
export const CATEGORIES: readonly Category[] = CATEGORY_LIST.map((d) => d.name);

/** The descriptor of a category in `list`; throws for an unknown name (a programmer error). */
export function descriptorOf(name: string, list: readonly CategoryDescriptor[] = CATEGORY_LIST): CategoryDescriptor {
  const d = list.find((c) => c.name === name);
  if (!d) throw new RangeError(`unknown category ${name}`);
  return d;
}

export * from './descriptor.js';

/** The policy when nothing overrides it (SPEC section 2): every rule's default, frozen. */
export function defaultPolicy(list: readonly CategoryDescriptor[] = CATEGORY_LIST): Policy {
  let backupRetention: Policy['backupRetention'] = Object.freeze({ default: 1 });
  const ages: Record<string, number> = {};
  for (const d of list) {
    if (d.rule.kind === 'retention') backupRetention = Object.freeze({ ...d.rule.defaults });
    else ages[d.name] = d.rule.default;
  }
  return Object.freeze({ backupRetention, ages: Object.freeze(ages) });
}
