/**
 * The part of the configuration that may be changed while the service runs (the panel and
 * `PUT /api/system/cleanup/config`): every config-file key except those that say *where* the
 * service works. `root`, `paths` and `tables` are never editable over HTTP: a setting that aims
 * a category at other data (another folder, another table) must come from the operator's own
 * file, checked at start. Keys added to the config file schema later become editable with it.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { CATEGORY_LIST } from '../domain/categories/index.js';
import { ConfigError } from './errors.js';
import { ConfigFileSchema } from './schema.js';
import { describeFirstError } from './validation.js';

/**
 * Keys of the config file that only the file (read at start) may set. The backup archive target
 * and its policy are among them: an edit over HTTP could otherwise send every old backup to a
 * store of the editor's choosing and then delete the local copies.
 */
export const FIXED_KEYS = ['root', 'paths', 'tables', 'backup_archive', 'archive_policy'] as const;

export const EditableConfigSchema = Type.Omit(ConfigFileSchema, [...FIXED_KEYS], {
  additionalProperties: false,
  description:
    'The settings the panel edits: every config-file key except root, paths, tables, backup_archive and archive_policy (config file only). Absent keys take their defaults.',
});
export type EditableConfig = Static<typeof EditableConfigSchema>;

const FIXED: ReadonlySet<string> = new Set(FIXED_KEYS);

/** Settings a running service never takes from an edit, whatever the reloaded settings say. */
export const FIXED_SETTINGS = ['root', 'rootSource', 'configFile', 'paths', 'tables', 'backupArchive', 'archivePolicy', 'host', 'port', 'apiToken', 'logLevel', 'scheduleDryRun'] as const;

/**
 * Checks editable settings with the config file's own rules (same schema, protect globs relative);
 * returns them typed, or throws ConfigError "<where>: <field> <problem>".
 */
export function checkEditable(data: unknown, where: string): EditableConfig {
  if (!Value.Check(EditableConfigSchema, data)) throw new ConfigError(describeFirstError(EditableConfigSchema, data, where));
  checkProtectGlobs(data.protect, where);
  return data;
}

/** Protect globs are matched against root-relative paths: an absolute one would never match, so it is refused. */
export function checkProtectGlobs(globs: readonly string[] | undefined, where: string): void {
  for (const g of globs ?? []) {
    if (g.startsWith('/')) throw new ConfigError(`${where}: protect glob "${g}" must be relative to the root (e.g. "logs/keep_me*")`);
  }
}

/** The editable keys of a config file's content (root, paths, tables left out). */
export function editablePart(file: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(file).filter(([k]) => !FIXED.has(k)));
}

/** `file` with its editable keys replaced by `edited` (root, paths and tables kept as they are). */
export function withEditable(file: Readonly<Record<string, unknown>>, edited: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const fixed = Object.fromEntries(Object.entries(file).filter(([k]) => FIXED.has(k)));
  return { ...fixed, ...edited };
}

/** What the effective settings mean in the editable keys' terms (the values a run uses now). */
export interface EffectiveSource {
  policy: { backupRetention: Readonly<Record<string, number>>; ages: Readonly<Record<string, number>> };
  protect: readonly string[];
  schedule: string;
  timezone: string | undefined;
}

/**
 * The effective editable configuration: `stored` keys (including ones this module does not
 * know) overlaid with what the settings resolve to: every retention and age with its default
 * filled in, the protect globs, the schedule and its time zone (absent: the server's local zone).
 */
export function effectiveEditable(s: EffectiveSource, stored: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored, backup_retention: { ...s.policy.backupRetention } };
  for (const d of CATEGORY_LIST) {
    if (d.rule.kind === 'age') out[d.rule.setting] = s.policy.ages[d.name] ?? d.rule.default;
  }
  out.protect = [...s.protect];
  out.schedule = s.schedule;
  if (s.timezone === undefined) delete out.timezone;
  else out.timezone = s.timezone;
  return out;
}

/**
 * The differences between two configurations as dotted fields (`backup_retention.prod`), one
 * level into objects; arrays compare whole. Sorted by field.
 */
export function diffConfig(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>) {
  const out: { field: string; from?: unknown; to?: unknown }[] = [];
  const walk = (a: unknown, b: unknown, field: string, depth: number) => {
    if (depth < 2 && isPlainObject(a) && isPlainObject(b)) {
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[k], b[k], field ? `${field}.${k}` : k, depth + 1);
      return;
    }
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    out.push({ field, ...(a === undefined ? {} : { from: a }), ...(b === undefined ? {} : { to: b }) });
  };
  walk(before, after, '', 0);
  return out.sort((x, y) => (x.field < y.field ? -1 : x.field > y.field ? 1 : 0));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
