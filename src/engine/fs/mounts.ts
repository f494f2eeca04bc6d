/**
 * Mount points, from /proc/self/mountinfo (Linux). A bind mount of a folder from the same
 * filesystem has the same device number as its parent, so the walker's "never cross into
 * another filesystem" rule (st_dev) does not see it: `mount --bind /srv/data <root>/tmp/x`
 * would expose /srv/data to the temp cleanup. Every mount point below a category folder is
 * therefore never entered, nor listed, whatever its filesystem (SPEC 3.5).
 */
import { readFile } from 'node:fs/promises';
import { decodeName } from './byte-names.js';

/**
 * Absolute paths of every mount point this process sees, or [] where mountinfo cannot be read
 * (not Linux): then only the device-number rule applies. Read as bytes: a mount point whose
 * name is not UTF-8 comes back as the walker spells it (byte-names.js), so it is still skipped.
 */
export async function readMountPoints(file = '/proc/self/mountinfo'): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return [];
  }
  const points: string[] = [];
  // Fields never hold a raw newline or space (both are octal escapes), so the lines and fields
  // can be cut as latin1 text, one character per byte, and turned back into bytes after.
  for (const line of bytes.toString('latin1').split('\n')) {
    // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": field 5 is the mount point.
    const field = line.split(' ')[4];
    if (field) points.push(decodeName(Buffer.from(unescapeMountPath(field), 'latin1')));
  }
  return points;
}

/** The mount points strictly below `dir` (an absolute real path). */
export function mountPointsBelow(points: readonly string[], dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return points.filter((p) => p.startsWith(prefix));
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`…): one byte each. */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}
