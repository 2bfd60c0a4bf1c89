/**
 * Who is calling, from the JWT claims API Gateway's authorizer verified (locally: the dev server), and
 * the middleware that enforces shared/api/roles.ts in every handler — the gateway only proves a token
 * is valid, so a route reached any other way still checks the caller's groups.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { type ApiEvent, type ApiResponse, problem } from './http.js';
import { GROUP_NAMES, GROUPS, type Group, isRouteKey, mayCall, ROUTES } from './roles.js';

export interface Caller {
  user: string;
  /** The caller's groups that the API knows, in GROUPS order. */
  groups: Group[];
  /** `member`: the institution the caller belongs to (claim `custom:institutionId`). */
  institutionId?: string;
  /** `staff`: the caller's own staff id (claim `custom:staffId`). */
  staffId?: string;
}

/**
 * `cognito:groups` as it arrives: an array from a decoded token, but API Gateway's JWT authorizer
 * flattens array claims into one string, `[office finance]`; a JSON array string is accepted too.
 */
export function parseGroups(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  const text = claim.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // fall through to the flattened form
    }
  }
  return text
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** Which claims name the caller and list the groups: Cognito's unless the deployment says otherwise. */
const claimNames = () => ({
  userClaim: process.env.USER_CLAIM || 'username',
  groupClaim: process.env.GROUP_CLAIM || 'cognito:groups',
});

/** The caller, or undefined when the event carries no verified claims. */
export function callerOf(event: ApiEvent): Caller | undefined {
  const claims = event.requestContext?.authorizer?.jwt?.claims;
  if (!claims) return undefined;
  // The identity provider's claims (infra/targets.ts sets USER_CLAIM and GROUP_CLAIM on AWS). Cognito
  // access tokens carry `username`, ID tokens `cognito:username`; `sub` is the last resort.
  const { userClaim, groupClaim } = claimNames();
  const user = [claims[userClaim], claims.username, claims['cognito:username'], claims.sub].find(
    (v): v is string => typeof v === 'string' && v !== '',
  );
  if (!user) return undefined;
  const named = new Set(parseGroups(claims[groupClaim]));
  const scope = (claim: unknown) => (typeof claim === 'string' && claim !== '' ? claim : undefined);
  const institutionId = scope(claims['custom:institutionId']);
  const staffId = scope(claims['custom:staffId']);
  return {
    user,
    groups: GROUPS.filter((g) => named.has(g)),
    ...(institutionId ? { institutionId } : {}),
    ...(staffId ? { staffId } : {}),
  };
}

export type ApiContext = Context & { caller: Caller };

const rolesText = (allow: readonly Group[]) => allow.map((g) => GROUP_NAMES[g]).join('、');

/** Answers 401 without a caller, 403 when the caller's groups may not call the route; sets `context.caller`. */
export function authorize(): MiddlewareObj<ApiEvent, ApiResponse, Error, ApiContext> {
  return {
    before: async (request) => {
      const routeKey = request.event.routeKey;
      if (!isRouteKey(routeKey)) throw problem(404, `没有这个接口 / no such route: ${routeKey}`);
      const caller = callerOf(request.event);
      if (!caller) throw problem(401, '需要登录 / sign-in required: send a valid bearer token');
      if (!mayCall(routeKey, caller.groups)) {
        const allow = ROUTES[routeKey].allow;
        const who = allow === 'signed-in' ? '' : rolesText(allow);
        throw problem(
          403,
          `${caller.user} 无权访问：仅限 ${who} / ${caller.user} may not call ${routeKey}; allowed: ${allow === 'signed-in' ? 'any signed-in user' : allow.join(', ')}`,
        );
      }
      request.context.caller = caller;
    },
  };
}
