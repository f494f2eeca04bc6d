/** Formatting for people: sizes, dates in a given time zone, durations, category names. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB" (powers of 1024, like the API's space_freed_mb). */
export function bytes(n) {
  if (!Number.isFinite(n)) return '–';
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${UNITS[u]}`;
}

/** The viewer's own time zone. */
export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** An ISO timestamp as a date and time in `timeZone` (the viewer's by default), with the zone's name. */
export function dateTime(iso, timeZone = viewerZone) {
  if (!iso) return '–';
  try {
    // dateStyle/timeStyle cannot be combined with timeZoneName, hence the fields one by one.
    return new Intl.DateTimeFormat(undefined, {
      year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit', timeZone, timeZoneName: 'short',
    }).format(new Date(iso));
  } catch {
    return iso;
  }
}

/** Milliseconds as "850 ms", "12.3 s", "4 min 2 s". */
export function duration(ms) {
  if (ms == null) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** The categories in the API's order, with their stat keys and a label. */
export const CATEGORIES = [
  { name: 'backups', stat: 'backups_deleted', label: 'Backups' },
  { name: 'logs', stat: 'logs_deleted', label: 'Logs' },
  { name: 'tasks', stat: 'tasks_deleted', label: 'Tasks' },
  { name: 'errors', stat: 'errors_deleted', label: 'Errors' },
  { name: 'prompts', stat: 'prompts_deleted', label: 'Prompts (archived)' },
  { name: 'temp', stat: 'temp_files_deleted', label: 'Temp files' },
];

/** A run's stats as "backups 84, logs 3 · 271.93 MB" (or "nothing"). */
export function statsLine(stats) {
  if (!stats) return '–';
  const parts = CATEGORIES.filter((c) => stats[c.stat] > 0).map((c) => `${c.name} ${stats[c.stat]}`);
  return parts.length ? `${parts.join(', ')} · ${stats.space_freed_mb} MB` : 'nothing';
}
