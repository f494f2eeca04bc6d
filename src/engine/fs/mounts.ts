/**
 * Mount points, from /proc/self/mountinfo (Linux). A bind mount of a folder from the same
 * filesystem has the same device number as its parent, so the walker's "never cross into
 * another filesystem" rule (st_dev) does not see it: `mount --bind /srv/data <root>/tmp/x`
 * would expose /srv/data to the temp cleanup. Every mount point below a category folder is
 * therefore never entered, nor listed, whatever its filesystem (SPEC 3.5).
 */
import { readFile } from 'node:fs/promises';

/**
 * Absolute paths of every mount point this process sees, or [] where mountinfo cannot be read
 * (not Linux): then only the device-number rule applies.
 */
export async function readMountPoints(file = '/proc/self/mountinfo'): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const points: string[] = [];
  for (const line of text.split('\n')) {
    // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": field 5 is the mount point.
    const field = line.split(' ')[4];
    if (field) points.push(unescapeMountPath(field));
  }
  return points;
}

/** The mount points strictly below `dir` (an absolute real path). */
export function mountPointsBelow(points: readonly string[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return points.filter((p) => p.startsWith(prefix));
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`…). */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}
