/** Marks a cycle failed after a step failed beyond its retries, keeping the error for the status table. */
import { store } from '../shared/config.js';
import { FailedCycle } from '../shared/schemas/events.js';

/**
 * A Lambda's Cause is the runtime's JSON report {errorType, errorMessage, trace}: users get the step's own
 * (bilingual) message, never the stack trace. Any other Cause is kept as text.
 */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a plain cause
  }
  return cause;
}

export async function handler(event: unknown): Promise<{ status: 'failed' }> {
  const { cycle, error } = FailedCycle.parse(event);
  const repos = store();
  await repos.cycles.transition(cycle, ['running', 'awaiting_review'], 'failed', {
    error: { name: error?.Error ?? 'Error', message: causeMessage(error?.Cause).slice(0, 2000) },
  });
  return { status: 'failed' };
}
