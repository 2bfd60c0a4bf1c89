/** GET /api/me: who the console is talking to, so it can show the caller's name and only the pages their groups may use. */
import { apiHandler, route } from '../../shared/api/handler.js';

export const handler = apiHandler('me', {
  'GET /api/me': route({
    // A member's institution and a staff member's own id scope what they see (shared/api/scope.ts).
    run: async ({ caller }) => ({
      json: {
        user: caller.user,
        groups: caller.groups,
        ...(caller.institutionId ? { institutionId: caller.institutionId } : {}),
        ...(caller.staffId ? { staffId: caller.staffId } : {}),
      },
    }),
  }),
});
