/** Sizes as people read them, shared by the CLI and the brake's reasons. */

/** `3240000` -> `3.1 MB` (binary units, as space_freed_mb is bytes / 1048576). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
