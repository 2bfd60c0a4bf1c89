/**
 * Publication (公示) of a completed quarterly bulletin or annual result: the office opens a window in which
 * member institutions see their scores, indicators and pools and staff their own quarterly and annual pay.
 * Only a completed cycle can be published; every publication is in the audit trail.
 */
import { bilingual, PrerequisiteError } from '../errors.js';
import { completedCycle } from '../reports/load.js';
import type { Repositories } from '../store/index.js';
import type { Publication } from '../store/publications.js';

export async function publish(
  repos: Repositories,
  request: {
    communityId: string;
    kind: 'quarterly' | 'annual';
    period: string;
    from?: string;
    to: string;
    by: string;
  },
  now = new Date(),
): Promise<Publication> {
  const cycle = await completedCycle(repos, request.communityId, request.kind, request.period);
  const from = new Date(request.from ?? now.toISOString());
  const to = new Date(request.to);
  if (!(to.getTime() > from.getTime()))
    throw new PrerequisiteError(
      bilingual('公示结束须晚于开始', 'the publication window must close after it opens'),
    );
  const publication: Publication = {
    communityId: request.communityId,
    kind: request.kind,
    period: request.period,
    revision: cycle.revision,
    from: from.toISOString(),
    to: to.toISOString(),
    publishedBy: request.by,
    publishedAt: now.toISOString(),
  };
  await repos.publications.put(publication);
  await repos.audit.append(request.communityId, {
    actor: request.by,
    action: 'publication.publish',
    subject: `${request.kind} ${request.period} r${cycle.revision}`,
    details: { from: publication.from, to: publication.to },
  });
  return publication;
}
