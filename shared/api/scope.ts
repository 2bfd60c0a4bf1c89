/**
 * What a scoped caller may see (issue 14): a `member` only its own institution, a `staff` member only
 * themselves — and of quarterly and annual results only what the office has published (公示, the window
 * has opened). Office, HR, finance and the auditor see everything their route allows. Checked in the
 * handlers, after roles.ts let the caller reach the route.
 */
import type { Repositories } from '../store/index.js';
import type { Caller } from './auth.js';
import { problem } from './http.js';
import type { Group } from './roles.js';

const UNSCOPED: readonly Group[] = ['office', 'hr', 'finance', 'auditor'];

/** Whether the caller sees beyond a scope of their own (any group other than member and staff). */
export const isUnscoped = (caller: Caller) => caller.groups.some((g) => UNSCOPED.includes(g));

const refuse = (caller: Caller, what: string) =>
  problem(403, `${caller.user} 只能查看本人或本单位的数据 / ${caller.user} may see only their own ${what}`);

/** A person's slip or explanation: staff themselves, a member for its own institution's staff. */
export function assertMaySeeStaff(caller: Caller, staffId: string, institutionId: string): void {
  if (isUnscoped(caller)) return;
  if (caller.groups.includes('staff') && caller.staffId === staffId) return;
  if (caller.groups.includes('member') && caller.institutionId === institutionId) return;
  throw refuse(caller, `pay (${staffId})`);
}

/** An institution's scores, indicators and pools: its own member. */
export function assertMaySeeInstitution(caller: Caller, institutionId: string): void {
  if (isUnscoped(caller)) return;
  if (caller.groups.includes('member') && caller.institutionId === institutionId) return;
  throw refuse(caller, `institution (${institutionId})`);
}

/**
 * Quarterly and annual results reach member institutions and staff once published and the window has
 * opened; monthly pay once the month is completed (the explain loaders refuse an uncompleted cycle).
 */
export async function assertPublishedFor(
  caller: Caller,
  repos: Repositories,
  communityId: string,
  kind: string,
  period: string,
  now = new Date(),
): Promise<void> {
  if (isUnscoped(caller) || kind === 'monthly') return;
  const publication = await repos.publications.get(communityId, kind, period);
  if (!publication || new Date(publication.from).getTime() > now.getTime())
    throw problem(
      403,
      `${period} 的结果尚未公示 / the ${kind} results of ${period} have not been published yet`,
    );
}
