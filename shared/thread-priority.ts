/**
 * A thread's CPU priority (Linux: a thread's nice value is its own, and the thread's id names it), for the
 * threads whose work may wait: what they build is needed later than what the main thread and the database
 * are doing now. Nowhere else (not Linux, or not allowed): a no-op, and the thread keeps its priority.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

export function lowerThisThreadsPriority(nice: number): void {
  try {
    const tid = Number(String(readlinkSync('/proc/thread-self')).split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // Not Linux, or not allowed: the thread keeps the priority it has.
  }
}
