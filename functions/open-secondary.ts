/**
 * §9.1 manual mode, one waiting institution: opens the month's secondary-distribution window (once) and
 * stores the institution's draft — each department's pool X_d, its members on the month's payroll and the
 * rule split — which the department heads start from. Writing it again writes the same thing.
 */

import { z } from 'zod';
import { buildDraft, refOf } from '../shared/app/secondary-service.js';
import { store } from '../shared/config.js';
import { InstitutionTask } from '../shared/schemas/events.js';

const OpenTask = InstitutionTask.extend({ institutionIds: z.array(z.string()).min(1) });

export async function handler(event: unknown): Promise<{ institutionId: string }> {
  const { cycle, institutionId, institutionIds } = OpenTask.parse(event);
  const repos = store();
  await repos.secondary.open(refOf(cycle), institutionIds);
  await repos.secondary.putDraft(refOf(cycle), await buildDraft(repos, cycle, institutionId));
  return { institutionId };
}
