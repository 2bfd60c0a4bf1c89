/**
 * A JSON call to a running `medcomm serve` (cli/serve.ts) as `user` in `group`, with a token from the
 * server's own development issuer: what the API tests of one community send, in one place.
 */
import type { ApiServer } from '../../../cli/serve.js';

// biome-ignore lint/suspicious/noExplicitAny: answers of many routes, checked field by field in the tests
export type Json = Record<string, any>;

export async function callAs(
  server: ApiServer,
  method: 'GET' | 'POST',
  path: string,
  user: string,
  group: string,
  body?: unknown,
): Promise<{ status: number; location: string | null; json: Json }> {
  const token = server.tokens.issue(user, group as 'office').token;
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    json: (await response.json()) as Json,
  };
}
