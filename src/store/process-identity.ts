/**
 * Who owns a lock: a pid plus its start time (field 22 of /proc/<pid>/stat, in clock ticks
 * since boot), so a pid recycled by another process after the owner died is not "alive".
 */
import { readFileSync } from 'node:fs';

/** The process's start time as a string, or null where /proc is not available. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/** True when the process exists (and, when a start time was recorded, is the same process). */
export function isProcessAlive(pid: number, startTime: string | null): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (startTime === null) return true;
  const now = processStartTime(pid);
  // A zombie or a process we cannot read keeps the benefit of the doubt only if /proc is absent.
  return now === null ? !isZombieOrGone(pid) : now === startTime && !isZombieOrGone(pid);
}

function isZombieOrGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}
