/**
 * One middy handler per route group: authorization (roles.ts), the JSON body parser, zod validation of
 * path, query and body (a 400 that names each field), then the route; domain errors become their HTTP
 * answers (http.ts) and @middy/http-error-handler, registered last, writes every error response.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { z } from 'zod';
import { apiOperations } from '../ops/api.js';
import { type ApiContext, authorize, type Caller } from './auth.js';
import { compressed } from './compress.js';
import { type ApiDeps, apiDeps } from './deps.js';
import {
  type ApiEvent,
  type ApiResponse,
  type ProblemIssue,
  problem,
  type RouteResult,
  toProblem,
  toResponse,
} from './http.js';
import {
  isCommunityRoute,
  OPENS_COMMUNITY,
  type ROUTES,
  type RouteGroup,
  type RouteKey,
  routeKeyOf,
  routesOf,
} from './roles.js';

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  caller: Caller;
  /** The community the route addresses (the path's `{community}`); '' on deployment-wide routes. */
  community: string;
  event: ApiEvent;
}

export interface RouteDef<P = unknown, Q = unknown, B = unknown> {
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  /** Present: the route takes a JSON body (an absent body is validated as `{}`). */
  body?: z.ZodType<B>;
  run(input: RouteInput<P, Q, B>, deps: ApiDeps): Promise<RouteResult>;
}

/** Types a route's input from its schemas. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(
  def: RouteDef<P, Q, B>,
): RouteDef {
  return def as unknown as RouteDef;
}

export type RoutesOfGroup<G extends RouteGroup> = {
  [K in RouteKey]: (typeof ROUTES)[K]['group'] extends G ? K : never;
}[RouteKey];

type Ctx = ApiContext & { input?: { params: unknown; query: unknown; body: unknown } };

/**
 * A community route answers 404 for a community the store does not know (after authorize, so a caller
 * without a group there learns nothing); the routes of a community's first import may name a new one.
 */
function knownCommunity(): MiddlewareObj<ApiEvent, ApiResponse, Error, Ctx> {
  return {
    before: async (request) => {
      const routeKey = routeKeyOf(request.event.routeKey)!;
      const community = request.context.caller.community;
      if (!isCommunityRoute(routeKey) || community === undefined || OPENS_COMMUNITY.includes(routeKey))
        return;
      if (!(await apiDeps().repos.communities.get(community)))
        throw problem(
          404,
          `没有医共体 ${community}：尚未导入它的数据集 / no community ${community} in this deployment: import its dataset first (POST /api/communities/${community}/datasets)`,
        );
    },
  };
}

const zodIssues = (where: string, error: z.ZodError): ProblemIssue[] =>
  error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));

/**
 * The most any route takes in its JSON body (issue 12): files come through the upload store, and a
 * route's own fields are bounded below this (a file field at INLINE_FILES_BYTES). Lambda takes 6 MB.
 */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;

/**
 * Malformed JSON is the client's mistake (400, naming `body`); a body that is not JSON at all is a 415;
 * a body over MAX_JSON_BODY_BYTES a 413 naming the upload store, before it is parsed.
 */
function jsonBody(): MiddlewareObj<ApiEvent, ApiResponse, Error, Ctx> {
  const parser = httpJsonBodyParser();
  return {
    before: async (request) => {
      const { body } = request.event;
      if (body === undefined || body === '') {
        request.event.body = undefined;
        return;
      }
      const size = Buffer.byteLength(body, request.event.isBase64Encoded ? 'base64' : 'utf8');
      if (size > MAX_JSON_BODY_BYTES)
        throw problem(
          413,
          `请求体超过 ${MAX_JSON_BODY_BYTES / 1024} KB；数据集或更正的文件请先上传（POST /api/communities/{community}/datasets/upload-url） / ` +
            `the body is over ${MAX_JSON_BODY_BYTES / 1024} KB; a dataset's or a correction's files go through the upload store (POST /api/communities/{community}/datasets/upload-url)`,
        );
      try {
        await parser.before!(request as never);
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause;
        if (cause?.message)
          throw problem(400, `请求体不是有效的 JSON / the body is not valid JSON`, [
            { path: 'body', message: cause.message },
          ]);
        throw problem(
          415,
          '请以 JSON 发送，Content-Type: application/json / send JSON with Content-Type: application/json',
        );
      }
    },
  };
}

function validate(
  routes: Partial<Record<RouteKey, RouteDef>>,
): MiddlewareObj<ApiEvent, ApiResponse, Error, Ctx> {
  return {
    before: async (request) => {
      const key = routeKeyOf(request.event.routeKey);
      const def = key && routes[key];
      if (!def) throw problem(404, `没有这个接口 / no such route: ${request.event.routeKey}`);
      const issues: ProblemIssue[] = [];
      const check = (where: string, schema: z.ZodType | undefined, value: unknown) => {
        if (!schema) return value;
        const parsed = schema.safeParse(value);
        if (parsed.success) return parsed.data;
        issues.push(...zodIssues(where, parsed.error));
        return undefined;
      };
      // The community is the caller's context (authorize), not a parameter of the route's own schema.
      const { community: _community, ...pathParameters } = request.event.pathParameters ?? {};
      const params = check('path', def.params, pathParameters);
      const query = check('query', def.query, request.event.queryStringParameters ?? {});
      const body = check('body', def.body, (request.event.body as unknown) ?? (def.body ? {} : undefined));
      if (issues.length > 0) {
        const fields = [...new Set(issues.map((i) => i.path))].join(', ');
        throw problem(400, `请求有误：${fields} / invalid request: ${fields}`, issues);
      }
      request.context.input = { params, query, body };
    },
  };
}

/**
 * Logs what is ours to fix (5xx, with the cause) — not the 4xx a user can cause, nor the deliberate 501
 * of a route the local server has no storage for. Throttling (503) is logged as a warning.
 */
function logServerErrors(error: unknown): void {
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && (status < 500 || status === 501)) return;
  const cause = (error as { cause?: unknown }).cause ?? error;
  const level = status === 503 ? 'warn' : 'error';
  console.error(
    JSON.stringify({
      level,
      status: status ?? 500,
      message: cause instanceof Error ? cause.message : String(cause),
      name: (cause as Error)?.name,
      stack: (cause as Error)?.stack,
    }),
  );
}

export function apiHandler<G extends RouteGroup>(group: G, routes: Record<RoutesOfGroup<G>, RouteDef>) {
  const table = routes as Partial<Record<RouteKey, RouteDef>>;
  const unknown = Object.keys(table).filter((key) => !routesOf(group).includes(key as RouteKey));
  if (unknown.length > 0)
    throw new Error(
      `routes ${unknown.join(', ')} do not belong to the ${group} group in shared/api/roles.ts`,
    );
  return (
    middy<ApiEvent, ApiResponse, Error, Ctx>()
      // First: its after/onError run last, on the answer (shared/ops/api.ts: logs, metrics, traces).
      .use(apiOperations<ApiEvent, ApiResponse>(group) as MiddlewareObj<ApiEvent, ApiResponse, Error, Ctx>)
      .use(authorize() as MiddlewareObj<ApiEvent, ApiResponse, Error, Ctx>)
      .use(knownCommunity())
      .use(jsonBody())
      .use(validate(table))
      .use(
        httpErrorHandler({
          logger: logServerErrors,
          fallbackMessage: JSON.stringify({ error: 'internal error' }),
        }),
      )
      .handler(async (event, context) => {
        const def = table[routeKeyOf(event.routeKey)!]!;
        const input = context.input!;
        try {
          const result = await def.run(
            {
              ...(input as { params: unknown; query: unknown; body: unknown }),
              caller: context.caller,
              community: context.caller.community ?? '',
              event,
            },
            apiDeps(),
          );
          return compressed(toResponse(result), event.headers);
        } catch (error) {
          throw toProblem(error);
        }
      })
  );
}
