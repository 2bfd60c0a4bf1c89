/**
 * GET /api/me: who the console is talking to — the caller's name, their deployment-wide groups (the
 * commission's) and, per community, the groups they hold there — so it can offer the communities to work
 * in and show only the pages their groups may use there.
 */
import { ANY_COMMUNITY } from '../../shared/api/auth.js';
import { apiHandler, route } from '../../shared/api/handler.js';
import { GROUPS, type Group } from '../../shared/api/roles.js';
import { listCommunities } from '../../shared/app/commission-service.js';

const byId = (a: { communityId: string }, b: { communityId: string }) =>
  a.communityId < b.communityId ? -1 : a.communityId > b.communityId ? 1 : 0;

export const handler = apiHandler('me', {
  'GET /api/me': route({
    // A member's institution and a staff member's own id scope what they see (shared/api/scope.ts).
    run: async ({ caller }, { repos }) => {
      const held = caller.communities;
      const anywhere = held[ANY_COMMUNITY] ?? [];
      // The local server's sample users (`*:role`) hold their role in every community there is.
      const known = new Map(
        (await listCommunities(repos, (id) => anywhere.length > 0 || Object.hasOwn(held, id))).map((c) => [
          c.communityId,
          c.name,
        ]),
      );
      const ids = new Set([...Object.keys(held).filter((id) => id !== ANY_COMMUNITY), ...known.keys()]);
      const communities = [...ids]
        .map((communityId) => {
          const groups = new Set<Group>([...(held[communityId] ?? []), ...anywhere]);
          return {
            communityId,
            name: known.get(communityId) ?? null,
            // A community not imported yet is listed too: its office's first import creates it.
            imported: known.has(communityId),
            groups: GROUPS.filter((g) => groups.has(g)),
          };
        })
        .sort(byId);
      return {
        json: {
          user: caller.user,
          groups: caller.groups,
          communities,
          // Sample users of the local server may also name a community not imported yet.
          ...(anywhere.length > 0 ? { anyCommunity: anywhere } : {}),
          ...(caller.institutionId ? { institutionId: caller.institutionId } : {}),
          ...(caller.staffId ? { staffId: caller.staffId } : {}),
          // §9.1 a department head's department (with institutionId): the console opens its split form.
          ...(caller.departmentId ? { departmentId: caller.departmentId } : {}),
        },
      };
    },
  }),
});
