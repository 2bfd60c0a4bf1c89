/**
 * What API Gateway does in front of the handlers, for the local server: match a request to a route of
 * roles.ts, and build the HTTP API v2 event (payload format 2.0) with the verified claims where the JWT
 * authorizer puts them. Pure: no sockets, so it is tested without a server.
 */
import { randomUUID } from 'node:crypto';
import type { ApiEvent } from './http.js';
import { gatewayRouteKey, ROUTE_KEYS, type RouteKey, routeParts } from './roles.js';

interface CompiledRoute {
  key: RouteKey;
  method: string;
  pattern: RegExp;
  names: string[];
}

const compiled: CompiledRoute[] = ROUTE_KEYS.map((key) => {
  const { method, path } = routeParts(key);
  const names: string[] = [];
  const source = path
    .split('/')
    .map((part) => {
      const param = /^\{(\w+)\}$/.exec(part);
      if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { key, method, pattern: new RegExp(`^${source}$`), names };
});

export type RouteMatch =
  | { ok: true; routeKey: RouteKey; pathParameters: Record<string, string> }
  | { ok: false; status: 400 | 404 | 405; allow?: string[] };

/** Exact paths win over parameterised ones, as in API Gateway (`/api/audit/verify` is not `/api/audit/{x}`). */
export function matchRoute(method: string, path: string): RouteMatch {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  const hits = compiled
    .map((route) => ({ route, m: route.pattern.exec(trimmed) }))
    .filter((h): h is { route: CompiledRoute; m: RegExpExecArray } => h.m !== null)
    .sort((a, b) => a.route.names.length - b.route.names.length);
  if (hits.length === 0) return { ok: false, status: 404 };
  const hit = hits.find((h) => h.route.method === method.toUpperCase());
  if (!hit) return { ok: false, status: 405, allow: [...new Set(hits.map((h) => h.route.method))] };
  const pathParameters: Record<string, string> = {};
  try {
    hit.route.names.forEach((name, i) => {
      pathParameters[name] = decodeURIComponent(hit.m[i + 1]!);
    });
  } catch {
    // `%E0%A4%A`, a lone `%`: API Gateway answers 400 before any function runs.
    return { ok: false, status: 400 };
  }
  return { ok: true, routeKey: hit.route.key, pathParameters };
}

const TEXT_TYPES = /^(application\/(json|.*\+json|x-www-form-urlencoded)|text\/)/;

export interface GatewayRequest {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp?: string;
}

export function gatewayEvent(
  request: GatewayRequest,
  match: { routeKey: RouteKey; pathParameters: Record<string, string> },
  claims: Record<string, string> | undefined,
): ApiEvent {
  const url = new URL(request.url, 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  // HTTP API v2 joins repeated query parameters with commas.
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const text = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  // As API Gateway sends it: the route as served, community prefix included.
  const routeKey = gatewayRouteKey(match.routeKey);
  // HTTP APIs deliver the path URL-decoded, in rawPath as in pathParameters (REST APIs and Function URLs
  // keep it encoded; live captures in hotsock/voker PR #8, middleapi/standard-server PR #93).
  let path = url.pathname;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    // matchRoute refused a malformed path already; an event built anyway keeps it as it came.
  }
  const event: ApiEvent = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: request.method.toUpperCase(),
        path,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      authorizer: claims ? { jwt: { claims, scopes: null } } : (undefined as never),
    },
    isBase64Encoded: false,
  };
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (Object.keys(match.pathParameters).length > 0) event.pathParameters = match.pathParameters;
  if (request.body.length > 0) {
    event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    event.isBase64Encoded = !text;
  }
  return event;
}
