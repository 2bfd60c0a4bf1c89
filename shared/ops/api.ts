/**
 * The API's operations as one middy middleware, registered first in shared/api/handler.ts's apiHandler
 * (so its `after` and `onError` run last and see the answer the error handler made): a line when a
 * request starts and when it is answered — with API Gateway's request id, the route group, the route
 * (its template, never the values) and the community — its metrics (duration, 5xx, throttles retried)
 * and an X-Ray subsegment. Nothing of the caller, the query or the body is logged.
 *
 * When operations are off (the local default) it does nothing and Powertools is never loaded.
 */
import type { MiddlewareObj, Request } from '@middy/core';
import type { Context } from 'aws-lambda';
import { enterScope, newScope } from './invocation.js';
import type { Invocation } from './powertools.js';
import { operationsActive, operationsSettings } from './settings.js';

interface ApiLikeEvent {
  routeKey?: string;
  pathParameters?: Record<string, string | undefined> | null;
  requestContext?: { requestId?: string };
}

const invocations = new WeakMap<object, Invocation>();

export function apiOperations<E extends ApiLikeEvent, R extends { statusCode?: number } | undefined>(
  group: string,
): MiddlewareObj<E, R, Error> {
  const status = (request: Request<E, R, Error>) =>
    (request.response as { statusCode?: number } | undefined)?.statusCode;
  return {
    before: async (request) => {
      if (!operationsActive(operationsSettings())) return;
      // Entered before the first await, so that what middy runs after this middleware (the handler, the
      // store's SDK calls) continues in it: throttles the request meets count for this request.
      const scope = newScope();
      enterScope(scope);
      const { operations } = await import('./powertools.js');
      const { event } = request;
      const community = event.pathParameters?.community;
      const invocation = operations().begin({
        kind: 'api',
        name: group,
        keys: { ...(event.routeKey ? { route: event.routeKey } : {}), ...(community ? { community } : {}) },
        ...(event.requestContext?.requestId ? { requestId: event.requestContext.requestId } : {}),
        scope,
        ...(typeof (request.context as Partial<Context>).awsRequestId === 'string'
          ? { context: request.context as Context }
          : {}),
      });
      invocations.set(request, invocation);
    },
    after: async (request) => {
      invocations.get(request)?.finish({ status: status(request) ?? 200 });
      invocations.delete(request);
    },
    onError: async (request) => {
      const invocation = invocations.get(request);
      invocations.delete(request);
      if (!invocation) return;
      const answered = status(request);
      // Answered by the error handler: a 4xx is the caller's, a 5xx ours (logged as an error).
      if (answered !== undefined) invocation.finish({ status: answered });
      else invocation.fail(request.error, {});
    },
  };
}
