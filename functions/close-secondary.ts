/**
 * §9.1 manual mode, after every institution's wait ended: the office closed the window, or the wait timed
 * out — then the window is closed here (closedBy `timeout`), so nothing more is submitted or approved and
 * the month is paid with the approved submissions and the rule split for every other department. A timeout
 * never loses the month.
 */
import { refOf } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { CycleExecutionInput } from '../shared/schemas/events.js';

export async function handler(event: unknown): Promise<{ closedBy: string }> {
  const { cycle } = CycleExecutionInput.parse(event);
  const repos = store();
  const ref = refOf(cycle);
  await repos.secondary.close(ref, 'timeout', { reason: 'wait timed out' });
  const window = await repos.secondary.window(ref);
  return { closedBy: window?.closedBy ?? 'timeout' };
}
