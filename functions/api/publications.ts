/**
 * Publication (公示): the office publishes a completed quarterly bulletin or annual result for a window in
 * which member institutions and staff see it; everyone signed in can list what is published.
 */

import { apiHandler, route } from '../../shared/api/handler.js';
import { PublishBody } from '../../shared/api/schemas.js';
import { publish } from '../../shared/app/publication-service.js';

export const handler = apiHandler('publications', {
  'GET /api/publications': route({
    run: async ({ community }, { repos }) => {
      const communityId = community;
      const now = Date.now();
      const publications = (await repos.publications.list(communityId)).map((p) => ({
        ...p,
        open: Date.parse(p.from) <= now && now < Date.parse(p.to),
      }));
      return { json: { communityId, publications } };
    },
  }),
  'POST /api/publications': route({
    body: PublishBody,
    run: async ({ body, caller, community }, { repos }) => {
      const communityId = community;
      const publication = await publish(repos, { communityId, ...body, by: caller.user });
      return { status: 201, json: publication };
    },
  }),
});
