/**
 * The policy one run applies: how many backups each environment keeps, and each age-based
 * category's limit (in its rule's unit). Plain data, so it can be stored with a run and
 * described in English (planner.ts describePolicy).
 */
import type { RetentionRules } from './retention/rules.js';

/** Backups kept per environment; `default` covers every environment not named. */
export type BackupRetention = Readonly<Record<string, number>> & { readonly default: number };

/**
 * Backups' other retention rules per environment (`keep_daily`, `keep_within`, …; never
 * `keep_last`, which is `backupRetention`); `default` covers every environment not named.
 * A zero count or duration is a rule switched off (so a request can switch off a configured rule).
 */
export type BackupPolicy = Readonly<Record<string, RetentionRules>>;

/** The age limits and retention counts one run applies (defaults merged with overrides). */
export interface Policy {
  backupRetention: BackupRetention;
  /** Absent when no source sets `backup_policy`: then backups keep only their `keep_last`. */
  backupPolicy?: BackupPolicy;
  /**
   * Per category name, its age limit in its rule's unit (`logs: 30` days, `temp: 24` hours).
   * A category the policy does not name uses its descriptor's default.
   */
  ages: Readonly<Record<string, number>>;
}
