/**
 * One environment's restic-style retention rules as a schema (issue 12 section 1). Shared by
 * `backup_policy` (config/schema.ts) and `archive_policy` (archive-schema.ts), so backups and
 * their archived copies take the same rules, checked the same way.
 */
import { type TObject, type TOptional, type TInteger, type TString, Type } from '@sinclair/typebox';
import { MAX_COUNT } from '../domain/categories/index.js';
import { DURATION_HINT, DURATION_PATTERN } from '../domain/retention/index.js';

const RuleCount = (what: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_COUNT, description: `${what} (0 switches the rule off).` }));

type RulesProperties = {
  keep_last: TOptional<TInteger>;
  keep_hourly: TOptional<TInteger>;
  keep_daily: TOptional<TInteger>;
  keep_weekly: TOptional<TInteger>;
  keep_monthly: TOptional<TInteger>;
  keep_yearly: TOptional<TInteger>;
  keep_within: TOptional<TString>;
};

/**
 * The rule set of one environment; `one`/`many` name what it keeps ("backup"/"backups").
 * A closed object with at least one rule; `keep_last` is at least 1 when set (SPEC 3.2: the
 * newest are never all removed), the other counts may be 0 (off).
 */
export function retentionRulesSchema(one: string, many: string, description?: string): TObject<RulesProperties> {
  return Type.Object(
    {
      keep_last: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_COUNT, description: `Keep the N most recent ${many}${many === 'backups' ? ' (same as backup_retention)' : ''}.` })),
      keep_hourly: RuleCount(`Keep the newest ${one} of each of the N most recent hours that have one`),
      keep_daily: RuleCount(`Keep the newest ${one} of each of the N most recent days that have one`),
      keep_weekly: RuleCount(`Keep the newest ${one} of each of the N most recent ISO weeks that have one`),
      keep_monthly: RuleCount(`Keep the newest ${one} of each of the N most recent months that have one`),
      keep_yearly: RuleCount(`Keep the newest ${one} of each of the N most recent years that have one`),
      keep_within: Type.Optional(
        Type.String({ maxLength: 40, pattern: DURATION_PATTERN, description: `${DURATION_HINT}; keeps every ${one} this close to the newest one ("0d" switches the rule off)` }),
      ),
    },
    { additionalProperties: false, minProperties: 1, ...(description ? { description } : {}) },
  );
}
