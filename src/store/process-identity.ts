/**
 * Is a process alive, and is it still the one we mean: the one liveness check of the code base
 * (the state store's lock owner, the daemon's PID file). A pid plus its start time (field 22 of
 * /proc/<pid>/stat, in clock ticks since boot) names a process, so a pid recycled by another
 * process after the owner died is not "alive"; a zombie waiting to be reaped is not alive either.
 */
import { readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat after the command name (field 3 first), or null where unreadable. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The process's start time as a string, or null where /proc is not available. */
export function processStartTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}

/**
 * True when the process exists, is not a zombie, and, when `startTime` is given and /proc can be
 * read, started at that time (the same process). Where /proc is not available, the answer of
 * signal 0 stands.
 */
export function isProcessAlive(pid: number, startTime: string | null = null): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const fields = statFields(pid);
  if (fields === null) return true;
  if (fields[0] === 'Z' || fields[0] === 'X') return false;
  return startTime === null || fields[19] === startTime;
}
