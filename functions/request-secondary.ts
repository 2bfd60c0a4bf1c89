/**
 * §9.1 manual mode: parks one batch of institutions on a task token until the office closes the window.
 * The token is stored per batch (the close answers each with SendTaskSuccess on AWS); the paused Map's
 * input is stored with the window so the local engine can re-enter the definition there, even from another
 * process. A wait that starts after the window closed (a resumed run, or a Map iteration AWS started late)
 * is answered at once.
 */
import { z } from 'zod';
import { batchIds } from '../shared/app/institution-batches.js';
import { refOf } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { InstitutionBatchWork } from '../shared/schemas/events.js';

/** The wait's own fields besides its batch: the token, and the state the local engine resumes from. */
const WaitFields = z.object({ taskToken: z.string().min(1), stateInput: z.unknown() });

export async function handler(event: unknown): Promise<{ closed: boolean }> {
  const work = InstitutionBatchWork.parse(event);
  const { taskToken, stateInput } = WaitFields.parse(event);
  const { cycle } = work;
  const repos = store();
  const institutionIds = await batchIds(repos, work);
  const ref = refOf(cycle);
  // The token first: a close that comes after the window is read below finds it.
  await repos.secondary.putToken(ref, institutionIds, taskToken);
  const window = await repos.secondary.window(ref);
  // Once, by the first batch: every batch carries the same.
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
