/**
 * The policy one run applies: how many backups each environment keeps, and each age-based
 * category's limit (in its rule's unit). Plain data, so it can be stored with a run and
 * described in English (planner.ts describePolicy).
 */

/** Backups kept per environment; `default` covers every environment not named. */
export type BackupRetention = Readonly<Record<string, number>> & { readonly default: number };

/** The age limits and retention counts one run applies (defaults merged with overrides). */
export interface Policy {
  backupRetention: BackupRetention;
  /**
   * Per category name, its age limit in its rule's unit (`logs: 30` days, `temp: 24` hours).
   * A category the policy does not name uses its descriptor's default.
   */
  ages: Readonly<Record<string, number>>;
}
