/**
 * §9.1 manual mode: parks one batch of institutions on a task token until the office closes the window.
 * The token is stored per batch (the close answers each with SendTaskSuccess on AWS); the paused Map's
 * input is stored with the window so the local engine can re-enter the definition there, even from another
 * process. A wait that starts after the window closed (a resumed run, or a Map iteration AWS started late)
 * is answered at once.
 */
import { z } from 'zod';
import { refOf } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { InstitutionBatchTask } from '../shared/schemas/events.js';

const RequestPayload = InstitutionBatchTask.extend({ taskToken: z.string().min(1), stateInput: z.unknown() });

export async function handler(event: unknown): Promise<{ closed: boolean }> {
  const { cycle, institutionIds, taskToken, stateInput } = RequestPayload.parse(event);
  const repos = store();
  const ref = refOf(cycle);
  // The token first: a close that comes after the window is read below finds it.
  await repos.secondary.putToken(ref, institutionIds, taskToken);
  const window = await repos.secondary.window(ref);
  // Once, by the first batch (a province's state is ~80 KB: 62 writes of it would be ~5,000 WCU on one key).
  if (window?.resumeInput === undefined) await repos.secondary.recordResumeInput(ref, stateInput);
  if (window?.status !== 'closed') return { closed: false };
  // Locally the engine answers a closed window's wait itself (LocalWorkflows); on AWS only we can.
  if (!taskToken.startsWith('local-')) {
    const { SFNClient, SendTaskSuccessCommand } = await import('@aws-sdk/client-sfn');
    await new SFNClient({}).send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ closed: true }) }),
    );
  }
  return { closed: true };
}
